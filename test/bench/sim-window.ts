/**
 * One simulated client against a real server, counted over a window: what
 * the bench does for a whole run, for one client in a test. The window opens
 * at a held point after the session's setup (over h2 the client's SETTINGS
 * ACK and TLS tickets may follow the first requests), so that both sides'
 * counters are read with nothing on the wire between them.
 */
import { expect } from 'vitest';
import type { Message, TransportName, TransportStats } from '../../src/protocol/index.ts';
import type { LabServer } from '../../src/server/create.ts';
import type { ClientSink, SimClient, SimClientOptions } from '../../bench/sim/client.ts';
import type { H2WireMeter } from '../../bench/sim/h2-meter.ts';
import type { MeterReading } from '../../bench/sim/meter.ts';
import type { H2Counters } from '../../bench/run/ipc.ts';
import { eventually } from '../wait.ts';

/** Every finished request (`true` when it was empty), every message delivered and every long-poll turnaround (ns); any client error fails the test. */
export function recordingSink(): { sink: ClientSink; requests: boolean[]; messages: Message[]; turnarounds: number[] } {
  const requests: boolean[] = [];
  const messages: Message[] = [];
  const turnarounds: number[] = [];
  const sink: ClientSink = {
    message: (_client, message) => messages.push(message),
    gap: () => undefined,
    request: (empty) => requests.push(empty),
    started: () => undefined,
    reissued: (turnaroundNs) => turnarounds.push(turnaroundNs),
    error: (_client, text) => {
      throw new Error(text);
    },
  };
  return { sink, requests, messages, turnarounds };
}

/** A simulated client's options for a test: fast polls on one topic, the server's addresses. */
export function simOptions(server: LabServer, sink: ClientSink, more: Partial<SimClientOptions> & { topics: string[] }): SimClientOptions {
  return {
    index: 0, name: 'sim', transport: 'poll', baseUrl: new URL(server.url), headers: {},
    pollIntervalMs: 20, longPollWaitSeconds: 1, stepTimeoutMs: 5000, sink, ...more,
  };
}

export interface Counted {
  client: MeterReading;
  server: TransportStats;
  /** The h2 session's frame counters, for an h2 client. */
  frames?: H2Counters;
}

export interface CountedWindow {
  before: Counted;
  after: Counted;
  /** The requests inside the window: `true` for an empty answer. */
  requests: boolean[];
}

/**
 * Opens the client, lets `settle` requests pass, then counts both sides over
 * at least `polls` more requests; the client is quiesced at the end (close it).
 */
export async function countWindow(
  server: LabServer,
  client: SimClient,
  requests: boolean[],
  { transport = 'poll' as TransportName, settle = 3, polls = 3 } = {},
): Promise<CountedWindow> {
  const read = (): Counted => {
    const frames = (client.meter as Partial<H2WireMeter>).h2Counters?.();
    return { client: client.meter.read(), server: server.stats().transports[transport], ...(frames ? { frames } : {}) };
  };
  await client.open();
  await eventually(() => requests.length >= settle, `the first ${settle} requests`);
  await client.pause();
  const before = read();
  const opened = requests.length;
  client.resume();
  await eventually(() => requests.length - opened >= polls, `${polls} requests in the window`);
  await client.quiesce();
  return { before, after: read(), requests: requests.slice(opened) };
}

/** Client = server, part by part, both directions, over the window; and as many requests on both sides. */
export function expectClientEqualsServer({ before, after, requests }: CountedWindow): void {
  expect(after.server.requests - before.server.requests, 'requests').toBe(requests.length);
  for (const part of ['headers', 'framing', 'bodies'] as const) {
    expect(after.client.up[part] - before.client.up[part], `up ${part}`).toBe(after.server.bytesIn[part] - before.server.bytesIn[part]);
    expect(after.client.down[part] - before.client.down[part], `down ${part}`).toBe(after.server.bytesOut[part] - before.server.bytesOut[part]);
  }
}
