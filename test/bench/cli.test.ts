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

  it('every numeric flag has a range, said in the message (issue 13)', () => {
    expect(() => parseCli(['--clients', '-5'])).toThrow(/--clients must be an integer from 1 to 50,000, got "-5"/);
    expect(() => parseCli(['--network', '999999ms'])).toThrow(/--network must be a number from 0 to 10,000 ms, got "999999ms"/);
    expect(() => parseCli(['--network', '-5ms'])).toThrow(/--network must be a number from 0 to 10,000 ms/);
    expect(() => parseCli(['--duration', '1e9'])).toThrow(/--duration must be a number from 0.5 to 3,600 s/);
    expect(() => parseCli(['--rate', '-0.5'])).toThrow(/--rate must be a number from 0.01 to 1,000 msg\/s/);
    expect(() => parseCli(['--body-size', '100000'])).toThrow(/--body-size must be an integer from 1 to 16,384 bytes/);
    expect(() => parseCli(['--burst-size', '0'])).toThrow(/--burst-size/);
    expect(() => parseCli(['--poll-interval', '5'])).toThrow(/--poll-interval must be a number from 10 to 600,000 ms/);
    expect(() => parseCli(['--longpoll-wait', '61'])).toThrow(/--longpoll-wait must be an integer from 1 to 60 s/);
    expect(() => parseCli(['--processes', '0'])).toThrow(/--processes must be an integer from 1 to 64/);
    expect(() => parseCli(['--clients', ''])).toThrow(/--clients must be an integer/);
    // At the limits: accepted.
    expect(parseCli(['--clients', '50000', '--network', '10000ms', '--rate', '0.01']).flags).toMatchObject({ clients: 50_000, publishRatePerSecond: 0.01 });
  });

  it('reads flags over the defaults', () => {
    const options = parseCli(['--scenario', 'fanout,idle', '--transports', 'sse,ws', '--clients', '7', '--network', '50ms', '--poll-interval', '250']);
    expect(options.scenarios.map((scenario) => scenario.name)).toEqual(['fanout', 'idle']);
    expect(options.transports).toEqual(['sse', 'ws']);
    expect(options.flags).toMatchObject({ clients: 7, pollIntervalMs: 250, network: { name: '50ms', rttMs: 50 } });
    expect(parseCli(['--quick']).scenarios.map((scenario) => scenario.name)).toEqual(['chat', 'burst']);
  });

  it('exits non-zero with the valid values on stderr', async () => {
    // Three independent processes, started together: each pays the TypeScript loader's start-up.
    const run = startBench(['--scenario', 'telepathy']);
    const negative = startBench(['--clients', '-5']);
    const flag = startBench(['--frobnicate']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/unknown scenario "telepathy": valid scenarios are chat, fanout/);
    expect(await negative.exited).toBe(2);
    expect(negative.stderr()).toMatch(/--clients must be an integer from 1 to 50,000, got "-5"/);
    expect(negative.stderr()).not.toMatch(/ambiguous/);
    expect(await flag.exited).toBe(2);
    expect(flag.stderr()).toMatch(/frobnicate[\s\S]*valid options:/);
  });
});
