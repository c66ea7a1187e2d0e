/**
 * One direction of a proxied connection: bytes read from `source` are written
 * to `target` no sooner than `delayMs` after they arrived, in order, optionally
 * at no more than `bandwidthBytesPerSecond`. A FIN from the source becomes an
 * `end()` on the target after the last byte before it (TCP half-close kept).
 *
 * Conditions (conditions.ts): `extraDelayMs` adds jitter to each chunk's
 * delay, but a chunk never leaves before the one ahead of it (due times never
 * go backwards), so byte order holds; `stalls` holds every byte due inside a
 * stall window until the window ends; `silence()` makes the line a black hole
 * (bytes are read and thrown away, a FIN is not passed on).
 *
 * Resolution: a byte is never released before its due time. Timers fire on
 * whole milliseconds and often a millisecond late, which would add up to
 * ~1 ms per direction (3× the `lan` profile's delay); so the timer is set a
 * little early and the last sub-millisecond is waited with setImmediate. With
 * a delay of 0, bytes pass straight through with no timer at all.
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { StallSchedule } from './stall-schedule.ts';

interface Pending {
  /** null: the source half-closed here. */
  chunk: Buffer | null;
  dueAt: number;
}

export interface DelayLineOptions {
  /** Read on every chunk, so that a change applies to bytes arriving after it. */
  delayMs: () => number;
  bandwidthBytesPerSecond?: number;
  onChunk?: (chunk: Buffer) => void;
  /** Jitter: a (seeded) extra delay for each chunk, in ms; may be negative (the sum is clamped at 0). */
  extraDelayMs?: () => number;
  /** Stalls that hold bytes as a retransmission timeout would. */
  stalls?: StallSchedule;
  /** Called on every chunk or FIN from the source (the proxy's idle clock). */
  onActivity?: () => void;
}

/** Queued bytes past which the source is paused: a delay line is not a bottomless buffer. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** How early the timer is set, to absorb Node timers' millisecond granularity. */
const TIMER_SLACK_MS = 1;

export class DelayLine {
  private readonly queue: Pending[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** When the last queued byte leaves: due times never go backwards, so order holds. */
  private lastDueAt = 0;
  /** When the emulated link finishes sending what it has (bandwidth cap). */
  private linkFreeAt = 0;
  private targetBlocked = false;
  private silenced = false;
  /** Bytes thrown away since the line went silent. */
  private discarded = 0;

  constructor(
    private readonly source: Socket,
    private readonly target: Socket,
    private readonly options: DelayLineOptions,
  ) {
    source.on('data', (chunk: Buffer) => this.accept(chunk));
    source.on('end', () => {
      if (this.silenced) return;
      this.options.onActivity?.();
      this.enqueue(null, 0);
    });
    target.on('drain', () => {
      this.targetBlocked = false;
      this.resumeIfRoom();
    });
  }

  /** Stops all pending writes (the connection is being torn down). */
  stop(): void {
    this.cancelTimer();
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  /**
   * From now on nothing passes: bytes queued and bytes still to come are
   * thrown away, a FIN is not passed on. The source keeps being read, so
   * its peer's writes do not block (the packets vanish on the way).
   */
  silence(): void {
    this.silenced = true;
    this.stop();
    this.targetBlocked = false;
    if (!this.source.destroyed) this.source.resume();
  }

  get isSilent(): boolean {
    return this.silenced;
  }

  get discardedBytes(): number {
    return this.discarded;
  }

  private accept(chunk: Buffer): void {
    if (this.silenced) {
      this.discarded += chunk.length;
      return;
    }
    this.options.onActivity?.();
    try {
      this.options.onChunk?.(chunk);
    } catch {
      // An observer (the wire inspector) that fails must not break the connection it watches.
    }
    this.enqueue(chunk, chunk.length);
  }

  private enqueue(chunk: Buffer | null, length: number): void {
    const now = performance.now();
    let sentAt = now;
    const bandwidth = this.options.bandwidthBytesPerSecond;
    if (bandwidth !== undefined && length > 0) {
      // Serialisation delay: the link sends one chunk after another at its rate.
      sentAt = Math.max(now, this.linkFreeAt) + (length * 1000) / bandwidth;
      this.linkFreeAt = sentAt;
    }
    const jitter = this.options.extraDelayMs?.() ?? 0;
    let dueAt = Math.max(sentAt + Math.max(0, this.options.delayMs() + jitter), this.lastDueAt);
    if (this.options.stalls) dueAt = this.options.stalls.release(dueAt);
    this.lastDueAt = dueAt;
    if (dueAt <= now && this.queue.length === 0 && !this.targetBlocked) {
      this.write({ chunk, dueAt });
      return;
    }
    this.queue.push({ chunk, dueAt });
    this.queuedBytes += length;
    if (this.queuedBytes > HIGH_WATER_BYTES) this.source.pause();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = this.queue[0].dueAt - performance.now();
    // flush() re-checks against the clock, so firing early is safe; the
    // sub-millisecond tail is polled once per event-loop turn (I/O still runs).
    this.timer = wait < TIMER_SLACK_MS
      ? setImmediate(() => this.flush())
      : setTimeout(() => this.flush(), Math.floor(wait - TIMER_SLACK_MS));
  }

  private flush(): void {
    this.timer = null;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0].dueAt <= now) {
      const pending = this.queue.shift() as Pending;
      this.queuedBytes -= pending.chunk?.length ?? 0;
      this.write(pending);
    }
    this.resumeIfRoom();
    this.schedule();
  }

  private cancelTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = null;
  }

  private write(pending: Pending): void {
    if (this.target.destroyed || this.silenced) return;
    if (pending.chunk === null) {
      this.target.end();
      return;
    }
    if (!this.target.write(pending.chunk)) {
      this.targetBlocked = true;
      this.source.pause();
    }
  }

  private resumeIfRoom(): void {
    if (!this.targetBlocked && this.queuedBytes <= HIGH_WATER_BYTES && this.source.isPaused() && !this.source.destroyed) {
      this.source.resume();
    }
  }
}
