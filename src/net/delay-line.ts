/**
 * One direction of a proxied connection: bytes read from `source` are written
 * to `target` no sooner than `delayMs` after they arrived, in order, optionally
 * at no more than `bandwidthBytesPerSecond`. A FIN from the source becomes an
 * `end()` on the target after the last byte before it (TCP half-close kept).
 */
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

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
}

/** Queued bytes past which the source is paused: a delay line is not a bottomless buffer. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

export class DelayLine {
  private readonly queue: Pending[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  /** When the last queued byte leaves: due times never go backwards, so order holds. */
  private lastDueAt = 0;
  /** When the emulated link finishes sending what it has (bandwidth cap). */
  private linkFreeAt = 0;
  private targetBlocked = false;

  constructor(
    private readonly source: Socket,
    private readonly target: Socket,
    private readonly options: DelayLineOptions,
  ) {
    source.on('data', (chunk: Buffer) => this.accept(chunk));
    source.on('end', () => this.enqueue(null, 0));
    target.on('drain', () => {
      this.targetBlocked = false;
      this.resumeIfRoom();
    });
  }

  /** Stops all pending writes (the connection is being torn down). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private accept(chunk: Buffer): void {
    this.options.onChunk?.(chunk);
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
    const dueAt = Math.max(sentAt + this.options.delayMs(), this.lastDueAt);
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
    // Timers have whole-millisecond resolution and may fire a little early:
    // flush() re-checks against the clock, so a byte is never released early.
    this.timer = setTimeout(() => this.flush(), Math.max(0, Math.ceil(wait)));
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

  private write(pending: Pending): void {
    if (this.target.destroyed) return;
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
