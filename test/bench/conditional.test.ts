/**
 * `--conditional` (issue 11 item 2): the flag, the extra unit it adds after
 * `poll`, and the simulated conditional poller's bytes against the server's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../bench/cli/args.ts';
import { workloadUnits } from '../../bench/run/run-bench.ts';
import { PollSimClient } from '../../bench/sim/poll.ts';
import { closeAll, startServer } from '../server/helpers.ts';
import { countWindow, expectClientEqualsServer, recordingSink, simOptions } from './sim-window.ts';

afterEach(closeAll);

describe('bench --conditional', () => {
  it('is off by default, on with the flag, and refused without poll among the transports', () => {
    expect(parseCli([]).conditional).toBe(false);
    expect(parseCli(['--conditional', '--transports', 'poll,ws']).conditional).toBe(true);
    expect(() => parseCli(['--conditional', '--transports', 'sse,ws'])).toThrow(UsageError);
    expect(() => parseCli(['--conditional', '--transports', 'sse,ws'])).toThrow(/--transports must include poll/);
  });

  it('runs the conditional poll right after plain poll, and nothing extra without the flag', () => {
    expect(workloadUnits(['poll', 'sse'], true)).toEqual([
      { transport: 'poll', conditional: false },
      { transport: 'poll', conditional: true },
      { transport: 'sse', conditional: false },
    ]);
    expect(workloadUnits(['poll', 'sse'], false).map((unit) => unit.conditional)).toEqual([false, false]);
  });

  it('a simulated conditional poller gets 304s, counts them as empty, and its bytes match the server\'s exactly', async () => {
    const server = await startServer();
    const { sink, requests } = recordingSink();
    const client = new PollSimClient(simOptions(server, sink, { name: 'sim-conditional', topics: ['room:sim'], conditional: true }));
    try {
      const window = await countWindow(server, client, requests);
      const { before, after } = window;
      expect(window.requests.every((empty) => empty)).toBe(true);
      expect(after.server.emptyResponses - before.server.emptyResponses).toBe(window.requests.length);
      expectClientEqualsServer(window);
      // A 304 is headers only, on both sides' counts.
      expect(after.client.down.bodies - before.client.down.bodies).toBe(0);
      expect(after.client.down.framing - before.client.down.framing).toBe(0);
    } finally {
      client.close();
    }
  });
});
