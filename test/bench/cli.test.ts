import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../bench/cli/args.ts';
import { startBench } from './helpers.ts';

describe('bench command line', () => {
  it('rejects an unknown scenario, listing the valid ones', () => {
    expect(() => parseCli(['--scenario', 'chat,telepathy'])).toThrow(UsageError);
    expect(() => parseCli(['--scenario', 'telepathy'])).toThrow(/unknown scenario "telepathy".*chat, fanout, direct, idle, burst, http-ceiling, peers/);
  });

  it('rejects an unknown transport, network or header profile, listing the valid ones', () => {
    expect(() => parseCli(['--transports', 'ws,pigeon'])).toThrow(/unknown transport "pigeon".*poll, longpoll, sse, ws/);
    expect(() => parseCli(['--network', 'mars'])).toThrow(/unknown network profile "mars".*loopback, lan, broadband, mobile/);
    expect(() => parseCli(['--headers', 'netscape'])).toThrow(/unknown header profile "netscape".*minimal, browser/);
  });

  it('rejects an unknown flag and a bad number', () => {
    expect(() => parseCli(['--clinets', '5'])).toThrow(/--clinets[\s\S]*valid options: .*--clients/);
    expect(() => parseCli(['--clients', 'many'])).toThrow(/--clients must be an integer/);
    expect(() => parseCli(['--duration', '0'])).toThrow(/--duration/);
  });

  it('reads flags over the defaults', () => {
    const options = parseCli(['--scenario', 'fanout,idle', '--transports', 'sse,ws', '--clients', '7', '--network', '50ms', '--poll-interval', '250']);
    expect(options.scenarios.map((scenario) => scenario.name)).toEqual(['fanout', 'idle']);
    expect(options.transports).toEqual(['sse', 'ws']);
    expect(options.flags).toMatchObject({ clients: 7, pollIntervalMs: 250, network: { name: '50ms', rttMs: 50 } });
    expect(parseCli(['--quick']).scenarios.map((scenario) => scenario.name)).toEqual(['chat', 'burst']);
  });

  it('exits non-zero with the valid values on stderr', async () => {
    const run = startBench(['--scenario', 'telepathy']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/unknown scenario "telepathy": valid scenarios are chat, fanout/);
    const flag = startBench(['--frobnicate']);
    expect(await flag.exited).toBe(2);
    expect(flag.stderr()).toMatch(/frobnicate[\s\S]*valid options:/);
  });
});
