/**
 * A client worker process: holds a share of the simulated clients, runs their
 * publish schedule, measures what they receive, and answers the orchestrator
 * over IPC (bench/run/ipc.ts). It exits when its parent goes away, so that an
 * interrupted bench leaves nothing behind.
 */
import type { Gap, Message } from '../../src/protocol/index.ts';
import type { FromWorker, ToWorker, WorkerCounters, WorkerPlan } from '../run/ipc.ts';
import { emptyCounters } from '../run/ipc.ts';
import type { ClientSink, SimClient } from './client.ts';
import { SIM_CLIENTS } from './index.ts';
import { addH2Counters, emptyH2Counters, windowH2Counters } from '../aggregate/h2.ts';
import { H2WireMeter } from './h2-meter.ts';
import { addSplit } from './meter.ts';
import { DeliveryRecorder, encodeHistogram } from './recorder.ts';
import { PublishSchedule } from './schedule.ts';

const OPEN_CONCURRENCY = 64;
const QUIESCE_TIMEOUT_MS = 3000;
const MAX_ERRORS_KEPT = 20;

class Worker {
  private clients: SimClient[] = [];
  private recorder = new DeliveryRecorder([]);
  private schedule: PublishSchedule | undefined;
  private measuring = false;
  private requests = 0;
  private emptyResponses = 0;
  private reissues = 0;
  private reissueMicros = 0;
  private baseline: WorkerCounters = emptyCounters();
  private cpuBaseline: NodeJS.CpuUsage = process.cpuUsage();
  private ticker: NodeJS.Timeout | undefined;
  private goNs = 0n;
  private scheduleEndNs = 0n;
  /** When the last request left, while measuring. */
  private lastStartNs = 0n;
  private resumeTimer: NodeJS.Timeout | undefined;
  /** Set while waiting for `count`. */
  countNow: (() => void) | undefined;
  readonly errors: string[] = [];
  private errorCount = 0;

  constructor(private readonly send: (message: FromWorker) => void) {}

  private readonly sink: ClientSink = {
    message: (client: number, message: Message) => this.recorder.message(client, message, process.hrtime.bigint()),
    gap: (client: number, gap: Gap) => this.recorder.gap(client, gap),
    request: (empty: boolean) => {
      if (!this.measuring) return;
      this.requests += 1;
      if (empty) this.emptyResponses += 1;
    },
    started: () => {
      if (this.measuring) this.lastStartNs = process.hrtime.bigint();
    },
    reissued: (turnaroundNs: number) => {
      if (!this.measuring) return;
      this.reissues += 1;
      this.reissueMicros += turnaroundNs / 1000;
    },
    error: (client: number, text: string) => this.noteError(`client ${client}: ${text}`),
  };

  private noteError(text: string): void {
    this.errorCount += 1;
    if (this.errors.length < MAX_ERRORS_KEPT) this.errors.push(text);
  }

  async plan(plan: WorkerPlan): Promise<void> {
    const baseUrl = new URL(plan.baseUrl);
    this.recorder = new DeliveryRecorder(plan.clients.map((spec) => spec.subscribe));
    this.clients = plan.clients.map((spec, index) =>
      SIM_CLIENTS[plan.transport]({
        index,
        name: spec.name,
        transport: plan.transport,
        baseUrl,
        topics: spec.subscribe,
        // `--compression`: every HTTP request says it takes gzip (only receive answers come compressed).
        headers: plan.compression === true ? { ...plan.headers, 'accept-encoding': 'gzip' } : plan.headers,
        pollIntervalMs: plan.pollIntervalMs,
        longPollWaitSeconds: plan.longPollWaitSeconds,
        stepTimeoutMs: plan.stepTimeoutMs,
        replay2009: plan.replay2009 === true,
        conditional: plan.conditional === true,
        compression: plan.compression === true,
        ...(plan.h2Url && plan.transport !== 'ws' ? { h2Url: new URL(plan.h2Url) } : {}),
        sink: this.sink,
      }),
    );
    let next = 0;
    const opener = async (): Promise<void> => {
      while (next < this.clients.length) {
        const index = next++;
        await this.clients[index].open().catch((error: Error) => {
          throw new Error(`client ${plan.clients[index].name} could not open: ${error.message}`);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, this.clients.length) }, opener));
    this.schedule = new PublishSchedule(
      plan.clients.flatMap((spec, index) => (spec.publish ? [{ name: spec.name, client: this.clients[index], spec: spec.publish }] : [])),
      plan.bodyBytes,
      { kind: plan.body ?? 'filler', seed: plan.bodySeed ?? 1 },
    );
    const sockets = this.clients.reduce((sum, client) => sum + client.meter.sockets, 0);
    this.send({ type: 'ready', clients: this.clients.length, sockets });
  }

  /**
   * From here on everything counts. The clients hold their requests back
   * until `go`, so that nothing is on the wire while the orchestrator reads
   * the server's counters right after.
   */
  async mark(): Promise<void> {
    await Promise.race([
      Promise.all(this.clients.map((client) => client.pause())),
      new Promise((resolve) => setTimeout(resolve, QUIESCE_TIMEOUT_MS)),
    ]);
    this.takeBaseline();
  }

  private takeBaseline(): void {
    this.baseline = this.counters(true);
    this.cpuBaseline = process.cpuUsage();
    this.measuring = true;
    this.recorder.start();
  }

  /**
   * The clients stay held until `startNs` itself, not until this message
   * arrives (GO_LEAD_MS earlier): the run's time starts at `startNs`, so its
   * traffic must too, or polls sent in the lead are counted over a window
   * that leaves the lead out (issue 13 item 2).
   */
  go(startNs: bigint, durationMs: number): void {
    if (!this.measuring) this.takeBaseline();
    const clients = this.clients;
    this.resumeTimer = setTimeout(() => {
      for (const client of clients) client.resume();
    }, Math.max(0, Number(startNs - process.hrtime.bigint()) / 1e6));
    this.goNs = startNs;
    this.scheduleEndNs = startNs + BigInt(Math.round(durationMs * 1e6));
    this.ticker = setInterval(() => this.tick(), 1000);
    const schedule = this.schedule;
    if (!schedule) throw new Error('go before plan');
    void schedule.run(startNs, durationMs).then((tally) => {
      for (const text of schedule.errors) this.noteError(text);
      this.send({ type: 'published', tally });
    });
  }

  private tick(): void {
    const t = Number(process.hrtime.bigint() - this.goNs) / 1e9;
    this.send({ type: 'tick', t, counters: this.counters(), latency: this.recorder.takeSecond() });
  }

  /** Counters since `go` (or absolute, for the baseline). */
  private counters(absolute = false): WorkerCounters {
    const counters = emptyCounters();
    let h2: ReturnType<typeof emptyH2Counters> | undefined;
    for (const client of this.clients) {
      const reading = client.meter.read();
      addSplit(counters.up, reading.up);
      addSplit(counters.down, reading.down);
      counters.headerLineEnds = (counters.headerLineEnds ?? 0) + reading.headerLineEnds;
      const frames = client.meter instanceof H2WireMeter ? client.meter.h2Counters() : undefined;
      if (frames) addH2Counters((h2 ??= emptyH2Counters()), frames);
    }
    if (h2) counters.h2 = absolute ? h2 : windowH2Counters(h2, this.baseline.h2);
    counters.deliveries = this.recorder.deliveries;
    counters.requests = this.requests;
    counters.emptyResponses = this.emptyResponses;
    counters.reissues = this.reissues;
    counters.reissueMicros = Math.round(this.reissueMicros);
    if (!absolute) {
      addSplit(counters.up, this.baseline.up, -1);
      addSplit(counters.down, this.baseline.down, -1);
      counters.headerLineEnds = (counters.headerLineEnds ?? 0) - (this.baseline.headerLineEnds ?? 0);
    }
    return counters;
  }

  async expect(lastSeq: Record<string, number>, drainMs: number): Promise<void> {
    const deadline = Date.now() + drainMs;
    while (!this.recorder.complete(lastSeq) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    clearInterval(this.ticker);
    this.schedule?.stop();
    // The end of the window: from here no client starts a request (one in flight still counts, as it started
    // inside). When no request left after the schedule's end (no drain: idle), the window is the schedule exactly.
    const now = process.hrtime.bigint();
    const stoppedNs = this.lastStartNs <= this.scheduleEndNs && this.scheduleEndNs < now ? this.scheduleEndNs : now;
    await Promise.race([
      Promise.all(this.clients.map((client) => client.quiesce())),
      new Promise((resolve) => setTimeout(resolve, QUIESCE_TIMEOUT_MS)),
    ]);
    // Bytes may still be inside the delay proxy: the orchestrator says when they have landed.
    const count = new Promise<void>((resolve) => (this.countNow = resolve));
    this.send({ type: 'quiet' });
    await count;
    const counters = this.counters();
    this.measuring = false;
    const cpu = process.cpuUsage(this.cpuBaseline);
    const deliveries = this.recorder.tally(lastSeq);
    if (this.recorder.unstamped > 0) this.noteError(`${this.recorder.unstamped} deliveries carried no due time`);
    if (this.errorCount > this.errors.length) this.errors.push(`… and ${this.errorCount - this.errors.length} more errors`);
    this.send({
      type: 'report',
      stoppedNs: String(stoppedNs),
      counters,
      deliveries,
      latency: encodeHistogram(this.recorder.total),
      cpuMicros: cpu.user + cpu.system,
      errors: this.errors,
    });
  }

  abort(): void {
    this.schedule?.stop();
  }

  close(): void {
    clearTimeout(this.resumeTimer);
    clearInterval(this.ticker);
    this.schedule?.stop();
    for (const client of this.clients) client.close();
  }
}

function sendToParent(message: FromWorker): void {
  if (process.connected) process.send?.(message);
}

let worker = new Worker(sendToParent);

function fail(error: unknown): void {
  sendToParent({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'plan':
      worker.plan(message.plan).catch(fail);
      return;
    case 'mark':
      worker.mark().then(() => sendToParent({ type: 'marked' }), fail);
      return;
    case 'go':
      try {
        worker.go(BigInt(message.startNs), message.durationMs);
      } catch (error) {
        fail(error);
      }
      return;
    case 'abort':
      worker.abort();
      return;
    case 'count':
      worker.countNow?.();
      return;
    case 'expect':
      worker.expect(message.lastSeq, message.drainMs).catch(fail);
      return;
    case 'reset':
      worker.close();
      worker = new Worker(sendToParent);
      sendToParent({ type: 'hello' });
      return;
    case 'close':
      worker.close();
      setTimeout(() => process.exit(0), 50).unref();
      return;
  }
});

// Orphaned (the bench was killed or interrupted): close everything and go.
process.on('disconnect', () => {
  worker.close();
  process.exit(0);
});
process.on('SIGINT', () => undefined); // the orchestrator decides when we stop
sendToParent({ type: 'hello' });
