/**
 * Stalls that mimic a TCP retransmission timeout: now and then the link
 * holds every byte for a while (200 ms – 3 s by default), then lets them all
 * go at once, in order. When they happen is a Poisson process — gaps drawn
 * from an exponential distribution with the mean `60 000 / stallsPerMinute`
 * ms — and how long each lasts is uniform in [minMs, maxMs]; both come from
 * a seeded stream, so the same seed gives the same stalls.
 *
 * The schedule is laid out on the line's own clock (ms since it started), one
 * window after another; a byte due inside a window is held until its end.
 */
import type { Random } from './random.ts';

export interface StallSettings {
  stallsPerMinute: number;
  minMs: number;
  maxMs: number;
}

export interface StallWindow {
  /** ms since the schedule's origin. */
  start: number;
  end: number;
}

export class StallSchedule {
  private window: StallWindow;
  private windowHeldBytes = false;
  /** Windows that held at least one byte (a stall nobody noticed is not counted). */
  private stallsApplied = 0;

  constructor(
    private readonly random: Random,
    private readonly settings: StallSettings,
    /** The clock reading (performance.now) the schedule counts from. */
    private readonly origin: number,
  ) {
    this.window = { start: 0, end: 0 };
    this.advance();
  }

  /** When a byte due at `dueAt` (clock reading) may leave: `dueAt`, or the end of the stall it falls in. */
  release(dueAt: number): number {
    const t = dueAt - this.origin;
    while (t >= this.window.end) this.advance();
    if (t < this.window.start) return dueAt;
    if (!this.windowHeldBytes) {
      this.windowHeldBytes = true;
      this.stallsApplied += 1;
    }
    return this.origin + this.window.end;
  }

  get stalls(): number {
    return this.stallsApplied;
  }

  /** The first `count` windows of a schedule, without touching a live one (tests, reports). */
  static preview(random: Random, settings: StallSettings, count: number): StallWindow[] {
    const schedule = new StallSchedule(random, settings, 0);
    const windows: StallWindow[] = [];
    for (let i = 0; i < count; i += 1) {
      windows.push({ ...schedule.window });
      schedule.advance();
    }
    return windows;
  }

  private advance(): void {
    const meanGapMs = 60_000 / this.settings.stallsPerMinute;
    const start = this.window.end + -Math.log(1 - this.random()) * meanGapMs;
    const length = this.settings.minMs + this.random() * (this.settings.maxMs - this.settings.minMs);
    this.window = { start, end: start + length };
    this.windowHeldBytes = false;
  }
}
