/**
 * `--conditional` (issue 11 item 2): the flag, the extra unit it adds after
 * `poll`, and the simulated conditional poller's bytes against the server's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../bench/cli/args.ts';
import { workloadUnits } from '../../bench/run/run-bench.ts';
import type { ClientSink } from '../../bench/sim/client.ts';
import { PollSimClient } from '../../bench/sim/poll.ts';
import { closeAll, startServer } from '../server/helpers.ts';
import { eventually } from '../wait.ts';

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
    const requests: boolean[] = [];
    const sink: ClientSink = {
      message: () => undefined,
      gap: () => undefined,
      request: (empty) => requests.push(empty),
      started: () => undefined,
      error: (_client, text) => {
        throw new Error(text);
      },
    };
    const client = new PollSimClient({
      index: 0, name: 'sim-conditional', transport: 'poll', baseUrl: new URL(server.url), topics: ['room:sim'], headers: {},
      pollIntervalMs: 20, longPollWaitSeconds: 1, stepTimeoutMs: 5000, conditional: true, sink,
    });
    try {
      await client.open();
      const before = { client: client.meter.read(), server: server.stats().transports.poll };
      const opened = requests.length;
      await eventually(() => requests.length - opened >= 3, 'three conditional polls');
      await client.quiesce();
      const after = { client: client.meter.read(), server: server.stats().transports.poll };
      const polls = requests.length - opened;
      expect(requests.slice(opened).every((empty) => empty)).toBe(true);
      expect(after.server.requests - before.server.requests).toBe(polls);
      expect(after.server.emptyResponses - before.server.emptyResponses).toBe(polls);
      // A 304 is headers only, on both sides' counts.
      expect(after.client.down.bodies - before.client.down.bodies).toBe(0);
      expect(after.client.down.framing - before.client.down.framing).toBe(0);
      expect(after.server.bytesOut.bodies - before.server.bytesOut.bodies).toBe(0);
      expect(after.client.down.headers - before.client.down.headers).toBe(after.server.bytesOut.headers - before.server.bytesOut.headers);
      expect(after.client.up.headers - before.client.up.headers).toBe(after.server.bytesIn.headers - before.server.bytesIn.headers);
    } finally {
      client.close();
    }
  });
});
