/**
 * Simulated background clients: real clients of every transport, run inside
 * the server process, sitting in the lab room so that the counters show what
 * many idle listeners cost (short polling keeps asking; the others wait).
 * Bounded by MAX_BACKGROUND_CLIENTS and all closed with the lab.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '../client/index.ts';
import type { Client } from '../client/types.ts';
import { LabError, TRANSPORT_NAMES, roomTopic } from '../protocol/index.ts';
import type { TransportName } from '../protocol/index.ts';
import type { BackgroundState } from './types.ts';
import { LAB_ROOM, MAX_BACKGROUND_CLIENTS } from './types.ts';

export class BackgroundClients {
  private readonly clients: Client[] = [];
  /** Changes run one after another, so two quick knob moves cannot interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly prefix = `bg-${randomBytes(3).toString('hex')}`;
  private made = 0;
  private closed = false;

  constructor(
    private readonly baseUrl: string,
    private readonly pollIntervalMs = 1000,
  ) {}

  state(): BackgroundState {
    const perTransport = Object.fromEntries(TRANSPORT_NAMES.map((name) => [name, 0])) as Record<TransportName, number>;
    for (const client of this.clients) perTransport[client.transport]++;
    return { count: this.clients.length, max: MAX_BACKGROUND_CLIENTS, perTransport, room: LAB_ROOM };
  }

  /** Starts or stops clients until `count` run, spread evenly over the four transports. */
  setCount(count: number): Promise<BackgroundState> {
    if (!Number.isInteger(count) || count < 0 || count > MAX_BACKGROUND_CLIENTS) {
      return Promise.reject(new LabError('bad_request', `count must be an integer from 0 to ${MAX_BACKGROUND_CLIENTS}`));
    }
    const change = this.queue.then(() => this.reach(count));
    this.queue = change.catch(() => undefined);
    return change;
  }

  close(): Promise<void> {
    this.closed = true;
    const done = this.queue.then(() => this.reach(0));
    this.queue = done.catch(() => undefined);
    return done.then(() => undefined);
  }

  private async reach(count: number): Promise<BackgroundState> {
    while (this.clients.length > count) await this.clients.pop()!.close().catch(() => undefined);
    const started: Client[] = [];
    while (!this.closed && this.clients.length + started.length < count) {
      const transport = TRANSPORT_NAMES[this.made % TRANSPORT_NAMES.length];
      started.push(createClient(transport, {
        baseUrl: this.baseUrl,
        name: `${this.prefix}-${++this.made}`,
        pollIntervalMs: this.pollIntervalMs,
      }));
    }
    const results = await Promise.allSettled(
      started.map((client) => client.connect().then(() => client.subscribe([roomTopic(LAB_ROOM)]))),
    );
    let failure: unknown = null;
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled' && !this.closed) {
        this.clients.push(started[i]);
      } else {
        failure ??= result.status === 'rejected' ? result.reason : null;
        await started[i].close().catch(() => undefined);
      }
    }
    if (failure) {
      // Keep what started; say why the rest did not (e.g. too_many_connections).
      throw failure instanceof LabError ? failure : new LabError('bad_request', String(failure));
    }
    return this.state();
  }
}
