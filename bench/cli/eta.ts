/**
 * The progress bar's time left, worked out from the run's own estimate rather
 * than from cli-progress's rate of bar updates (which reads "1h10m" after the
 * first second and rounds 59.6 s into "3m60s").
 */

/** Below this share of the run, the estimate alone is trusted: too little has happened to correct it. */
const TRUST_OBSERVED_FROM = 0.1;

/**
 * Seconds left: the estimated seconds not yet done, scaled by how fast the
 * estimate has been proving true so far (a busy machine runs slower than
 * estimated) once a tenth of the run is behind.
 */
export function etaSeconds(doneEstimate: number, totalEstimate: number, elapsedSeconds: number): number {
  const left = Math.max(0, totalEstimate - doneEstimate);
  if (totalEstimate <= 0 || doneEstimate / totalEstimate < TRUST_OBSERVED_FROM || doneEstimate <= 0) return left;
  const pace = elapsedSeconds / doneEstimate;
  // A pace far off the estimate is a stall or a burst, not a trend: keep it within 0.5×..4×.
  return left * Math.min(4, Math.max(0.5, pace));
}

/** 0 → "0s", 59.6 → "1m00s", 3599.5 → "1h00m", 125 → "2m05s": whole units, never "60s". */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) {
    const minutes = Math.floor(whole / 60);
    return `${minutes}m${String(whole % 60).padStart(2, '0')}s`;
  }
  const minutesTotal = Math.round(whole / 60);
  return `${Math.floor(minutesTotal / 60)}h${String(minutesTotal % 60).padStart(2, '0')}m`;
}
