/**
 * The progress bar with ETA: one bar over the whole run, in estimated
 * seconds, advanced by each unit's measured phase and snapped forward when a
 * unit ends. Silent when stdout is not a terminal (tests, CI logs).
 */
import cliProgress from 'cli-progress';
import { etaSeconds, formatEta } from './eta.ts';

export class RunProgress {
  private readonly bar: cliProgress.SingleBar;
  private done = 0;
  private unitEstimate = 0;
  private started = false;
  private startedAt = 0;

  constructor(private readonly totalSeconds: number) {
    this.bar = new cliProgress.SingleBar(
      {
        format: ' {bar} {percentage}% | ETA {eta} | {unit}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  unit(label: string, estimatedSeconds: number): void {
    if (!this.started) {
      this.startedAt = performance.now();
      this.bar.start(Math.max(1, Math.round(this.totalSeconds)), 0, { unit: label, eta: formatEta(this.totalSeconds) });
      this.started = true;
    } else {
      this.done += this.unitEstimate;
      this.update(Math.min(this.done, this.totalSeconds), { unit: label });
    }
    this.unitEstimate = estimatedSeconds;
  }

  /** Seconds into the current unit's measured phase. */
  advance(seconds: number): void {
    if (!this.started) return;
    this.update(Math.min(this.done + Math.min(seconds, this.unitEstimate), this.totalSeconds));
  }

  private update(value: number, payload: Record<string, string> = {}): void {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    this.bar.update(value, { ...payload, eta: formatEta(etaSeconds(value, this.totalSeconds, elapsed)) });
  }

  finish(): void {
    if (!this.started) return;
    this.bar.update(Math.round(this.totalSeconds), { unit: 'done', eta: '0s' });
    this.bar.stop();
  }
}
