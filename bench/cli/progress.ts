/**
 * The progress bar with ETA: one bar over the whole run, in estimated
 * seconds, advanced by each unit's measured phase and snapped forward when a
 * unit ends. Silent when stdout is not a terminal (tests, CI logs).
 */
import cliProgress from 'cli-progress';

export class RunProgress {
  private readonly bar: cliProgress.SingleBar;
  private done = 0;
  private unitEstimate = 0;
  private started = false;

  constructor(private readonly totalSeconds: number) {
    this.bar = new cliProgress.SingleBar(
      {
        format: ' {bar} {percentage}% | ETA {eta_formatted} | {unit}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  unit(label: string, estimatedSeconds: number): void {
    if (!this.started) {
      this.bar.start(Math.max(1, Math.round(this.totalSeconds)), 0, { unit: label });
      this.started = true;
    } else {
      this.done += this.unitEstimate;
      this.bar.update(Math.min(this.done, this.totalSeconds), { unit: label });
    }
    this.unitEstimate = estimatedSeconds;
  }

  /** Seconds into the current unit's measured phase. */
  advance(seconds: number): void {
    if (!this.started) return;
    this.bar.update(Math.min(this.done + Math.min(seconds, this.unitEstimate), this.totalSeconds));
  }

  finish(): void {
    if (!this.started) return;
    this.bar.update(Math.round(this.totalSeconds), { unit: 'done' });
    this.bar.stop();
  }
}
