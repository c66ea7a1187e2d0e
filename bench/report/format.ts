/** Number formatting shared by the terminal summary, the HTML report and the dashboard. */

/** 1234567 → "1.18 MiB"; bytes under 1 KiB stay whole. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? '-' : '';
  return unit === 0 ? `${sign}${Math.round(value)} B` : `${sign}${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Milliseconds with a precision that fits their size: 0.042 ms, 3.10 ms, 512 ms, 1.52 s. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

/** Grouped thousands, at most `digits` decimals: 12345.678 → "12,345.7". */
export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function formatPercent(fraction: number, digits = 2): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)} %` : '–';
}

/** The projection's unit: "6.6", "66", "665" as the Quantum Leap article prints Mbps; "2,688" over a thousand. */
export function formatMbps(mbps: number): string {
  if (mbps >= 10) return formatNumber(Math.round(mbps), 0);
  if (mbps >= 1) return mbps.toFixed(1);
  return mbps.toFixed(3);
}
