/**
 * The open-loop publish schedule: message k of a publisher is *due* at
 * start + offset + k × period, whatever happened to message k − 1. A send
 * that cannot keep up falls behind its due times, and that delay shows in the
 * latency (measured from the due time) instead of vanishing (wrk2's point).
 */
import type { PublishTally } from '../run/ipc.ts';
import type { PublishSpec } from '../scenarios/types.ts';
import { messageBody } from './body.ts';
import type { BodyKind } from './chat-body.ts';
import type { SimClient } from './client.ts';

export interface Publisher {
  name: string;
  client: SimClient;
  spec: PublishSpec;
}

export class PublishSchedule {
  readonly tally: PublishTally = { attempted: 0, acknowledged: 0, failed: 0, lastSeq: {} };
  readonly errors: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Ends each publisher's wait for its next due time (on stop). */
  private readonly finishers = new Set<() => void>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly publishers: Publisher[],
    private readonly bodyBytes: number,
    /** What the bodies hold (`--body`), and the seed chat bodies are drawn from. */
    private readonly body: { kind: BodyKind; seed: number } = { kind: 'filler', seed: 1 },
  ) {}

  /** Runs the schedule from `startNs` for `durationMs`; resolves when every publish has an answer. */
  async run(startNs: bigint, durationMs: number): Promise<PublishTally> {
    const endNs = startNs + BigInt(Math.round(durationMs * 1e6));
    // The schedule lasts its whole duration even with nobody publishing (the idle scenario).
    await Promise.all([...this.publishers.map((publisher) => this.runOne(publisher, startNs, endNs)), this.until(endNs)]);
    await Promise.all([...this.inFlight]);
    return this.tally;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const finish of this.finishers) finish();
    this.finishers.clear();
  }

  /** Resolves at `endNs`, or at once on stop. */
  private until(endNs: bigint): Promise<void> {
    return new Promise<void>((done) => {
      const finish = (): void => {
        this.finishers.delete(finish);
        clearTimeout(timer);
        done();
      };
      const timer = setTimeout(finish, Math.max(0, Number(endNs - process.hrtime.bigint()) / 1e6));
      this.finishers.add(finish);
      if (this.stopped) finish();
    });
  }

  private runOne(publisher: Publisher, startNs: bigint, endNs: bigint): Promise<void> {
    const { spec } = publisher;
    const periodNs = BigInt(Math.round(spec.periodMs * 1e6));
    return new Promise<void>((done) => {
      const resolve = (): void => {
        this.finishers.delete(resolve);
        done();
      };
      this.finishers.add(resolve);
      let k = 0;
      const next = (): void => {
        if (this.stopped) return resolve();
        const dueNs = startNs + BigInt(Math.round(spec.offsetMs * 1e6)) + BigInt(k) * periodNs;
        if (dueNs >= endNs) return resolve();
        const waitMs = Number(dueNs - process.hrtime.bigint()) / 1e6;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (this.stopped) return resolve();
          for (let j = 0; j < spec.burstSize; j += 1) this.send(publisher, k, j, dueNs);
          k += 1;
          next();
        }, Math.max(0, waitMs));
        this.timers.add(timer);
      };
      next();
    });
  }

  private send(publisher: Publisher, k: number, j: number, dueNs: bigint): void {
    const topic = publisher.spec.topics[k % publisher.spec.topics.length];
    const id = `${publisher.name}-${k}-${j}`;
    this.tally.attempted += 1;
    const done = publisher.client
      .publish(topic, messageBody(this.body.kind, dueNs, this.bodyBytes, { seed: this.body.seed, publisher: publisher.name, k, j }), id)
      .then((result) => {
        this.tally.acknowledged += 1;
        this.tally.lastSeq[result.topic] = Math.max(this.tally.lastSeq[result.topic] ?? 0, result.seq);
      })
      .catch((error: Error) => {
        this.tally.failed += 1;
        if (this.errors.length < 20) this.errors.push(`${publisher.name}: ${error.message}`);
      })
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }
}
