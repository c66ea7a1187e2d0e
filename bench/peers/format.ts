/**
 * The peers report as a terminal table: one row per ratio with both
 * figures, the target and pass/fail; then why each missing ratio is missing.
 */
import type { PeerRatio } from '../schema.ts';
import type { PeersReport } from './types.ts';

function figure(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === 'bytes') return `${(value / 1024).toFixed(1)} KiB`;
  if (unit === 'µs') return `${value.toFixed(1)} µs`;
  if (unit === 'ms') return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
  return `${Math.round(value).toLocaleString('en-US')}/s`;
}

/** The unit of a ratio's two figures, from the wording ratios.ts gives its labels. */
function unitOf(ratio: PeerRatio): string {
  if (ratio.metric.includes('RSS')) return 'bytes';
  if (ratio.metric.includes('CPU per')) return 'µs';
  if (ratio.metric.includes('latency') || ratio.metric.includes('to release')) return 'ms';
  return 'per-second';
}

function verdict(ratio: PeerRatio): string {
  if (ratio.target === undefined) return '';
  if (ratio.met === true) return 'pass';
  if (ratio.met === false) return 'FAIL';
  return 'n/a';
}

function pad(cells: string[][]): string {
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  return cells.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

export function formatPeersTable(report: PeersReport): string {
  const lines: string[] = [];
  const { machine } = report;
  lines.push(`peers: our server ÷ reference servers, side by side in one run (issue 5)`);
  lines.push(`date ${report.date} · ${machine.nproc} cores, ${machine.cpuModel} · Node ${machine.node} · ${machine.os}`);
  lines.push(`${report.pinned ? 'pinned: servers on core 0, load on core 1' : report.pinRequested ? 'NOT pinned (--pin asked, taskset unavailable)' : 'not pinned'}` +
    `${report.quick ? ` · QUICK run: ${report.sizes.heldClients.toLocaleString('en-US')} held/idle clients instead of 10,000, shorter runs` : ''}` +
    ` · ${report.durationSeconds.toFixed(0)} s${report.incomplete ? ' · INCOMPLETE (aborted)' : ''}`);
  if (report.quick) lines.push('RSS per client at this size is dominated by heap growth steps: read the memory targets from a full run (10,000 clients).');
  lines.push('');
  const rows: string[][] = [['transport', 'figure', 'ours', 'reference', 'theirs', 'ours ÷ ref', 'target', '']];
  for (const ratio of report.ratios) {
    const unit = unitOf(ratio);
    rows.push([
      ratio.transport,
      ratio.metric,
      figure(ratio.ours, unit),
      ratio.reference,
      figure(ratio.theirs, unit),
      ratio.ratio === null ? 'missing*' : `${ratio.ratio.toFixed(2)}×`,
      ratio.target ?? '',
      verdict(ratio),
    ]);
  }
  lines.push(pad(rows));
  const missing = report.ratios.filter((ratio) => ratio.ratio === null);
  if (missing.length > 0) {
    lines.push('', '* missing ratios:');
    for (const ratio of missing) lines.push(`  - ${ratio.transport} ${ratio.metric} vs ${ratio.reference}: ${ratio.reason ?? 'unknown'}`);
  }
  if (report.skipped.length > 0) {
    lines.push('', 'servers that did not start (skipped, not counted as zero):');
    for (const skipped of report.skipped) lines.push(`  - ${skipped.contender}: ${skipped.reason.split('\n')[0]}`);
  }
  const harness = report.measurements.filter((measurement) => measurement.harnessCpuMicrosPerOperation !== undefined);
  if (harness.length > 0) {
    lines.push('', 'harness CPU per operation (a harness bottleneck shows here, not as a server one):');
    lines.push('  ' + harness.map((measurement) => `${measurement.metric} ${measurement.contender}: ${measurement.harnessCpuMicrosPerOperation?.toFixed(1)} µs`).join(' · '));
  }
  return lines.join('\n');
}
