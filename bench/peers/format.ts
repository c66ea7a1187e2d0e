/**
 * The peers report as a terminal table: one row per ratio with both median
 * figures and their units, the median ratio with its spread, the verdict,
 * the target and pass/fail; then why each missing or saturated ratio has no
 * number.
 */
import { SATURATION_LIMITS } from './saturation.ts';
import { PEERS_PARTS, type PeersReport } from './types.ts';
import { formatPeerFigure, formatPeerRatio, formatPeerSpread, formatPeerTarget, formatPeerVerdict, peerUnitOf } from './units.ts';

function pad(cells: string[][]): string {
  const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  return cells.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

/** What the table's words mean, printed under it. */
export function peersLegend(repeats: number): string[] {
  const limits = SATURATION_LIMITS;
  return [
    `Each pair ran ${repeats} time(s), interleaved (ours, reference, ours, reference …). "ours ÷ ref" is the median of the per-repeat ratios,`,
    '"spread" their min–max; figures are each side\'s median. Server CPU per operation (*) leads each group; throughput comes second.',
    '"not distinguishable": the spread is at least as wide as the gap between the median and 1 — the repeats disagree by more than the difference.',
    `"saturated": during a repeat the load generator used over ${Math.round(limits.harnessCores * 100)} % of a core, other work over ${Math.round(limits.otherWorkShare * 100)} % of the machine,`,
    `or CPU steal over ${Math.round(limits.stealShare * 100)} % (the load average over ${limits.loadPerCore}× the cores where other work cannot be read): the figure measured the harness or the neighbours, so no ratio is printed.`,
  ];
}

export function formatPeersTable(report: PeersReport): string {
  const lines: string[] = [];
  const { machine } = report;
  lines.push(`peers: our server ÷ reference servers, side by side in one run (issue 5)`);
  lines.push(`date ${report.date} · ${machine.nproc} cores, ${machine.cpuModel} · Node ${machine.node} · ${machine.os}`);
  lines.push(`${report.pinned ? 'pinned: servers on core 0, load on core 1' : report.pinRequested ? 'NOT pinned (--pin asked, taskset unavailable)' : 'not pinned'}` +
    `${report.quick ? ` · QUICK run: ${report.scale ? '' : `${report.sizes.heldClients.toLocaleString('en-US')} held/idle clients instead of 10,000, `}shorter runs` : ''}` +
    ` · ${report.sizes.repeats} interleaved repeats · ${report.durationSeconds.toFixed(0)} s${report.incomplete ? ' · INCOMPLETE (aborted)' : ''}`);
  const versions = Object.entries(report.versions ?? {}).filter(([name]) => name !== 'ours').map(([name, version]) => `${name} = ${version}`);
  if (versions.length > 0) lines.push(`references: ${versions.join(' · ')}`);
  if (report.scale) {
    lines.push(`AT THE PROCESS'S LIMIT: ${(report.sizes.idleClients ?? report.sizes.heldClients).toLocaleString('en-US')} idle ws/sse connections, ` +
      `${report.sizes.heldClients.toLocaleString('en-US')} held long polls, at most ${report.sizes.clientsPerProcess.toLocaleString('en-US')} per load process`);
  }
  if (report.parts && report.parts.length < PEERS_PARTS.length) lines.push(`only these parts were run: ${report.parts.join(', ')}`);
  if (report.quick && !report.scale) lines.push('RSS per client at this size is dominated by heap growth steps: read the memory targets from a full run (10,000 clients).');
  lines.push('');
  const rows: string[][] = [['transport', 'figure', 'ours', 'reference', 'theirs', 'ours ÷ ref', 'spread', 'verdict', 'target', '']];
  for (const ratio of report.ratios) {
    const unit = peerUnitOf(ratio);
    rows.push([
      ratio.transport,
      `${ratio.headline ? '* ' : ''}${ratio.metric}`,
      formatPeerFigure(ratio.ours, unit),
      ratio.reference,
      formatPeerFigure(ratio.theirs, unit),
      formatPeerRatio(ratio),
      formatPeerSpread(ratio),
      formatPeerVerdict(ratio),
      ratio.target ?? '',
      formatPeerTarget(ratio),
    ]);
  }
  lines.push(pad(rows));
  lines.push('', ...peersLegend(report.sizes.repeats));
  const saturated = report.ratios.filter((ratio) => ratio.saturated !== undefined);
  if (saturated.length > 0) {
    lines.push('', 'saturated (no ratio printed):');
    for (const ratio of saturated) lines.push(`  - ${ratio.transport} ${ratio.metric} vs ${ratio.reference}: ${ratio.saturated}`);
  }
  const missing = report.ratios.filter((ratio) => ratio.ratio === null && ratio.saturated === undefined);
  if (missing.length > 0) {
    lines.push('', 'missing ratios:');
    for (const ratio of missing) lines.push(`  - ${ratio.transport} ${ratio.metric} vs ${ratio.reference}: ${ratio.reason ?? 'unknown'}`);
  }
  if (report.skipped.length > 0) {
    lines.push('', 'servers that did not start (skipped, not counted as zero):');
    for (const skipped of report.skipped) lines.push(`  - ${skipped.contender}: ${skipped.reason.split('\n')[0]}`);
  }
  const harness = report.measurements.filter((measurement) => measurement.harnessCpuMicrosPerOperation !== undefined);
  if (harness.length > 0) {
    lines.push('', 'harness CPU per operation, median (a harness bottleneck shows here, not as a server one):');
    lines.push('  ' + harness.map((measurement) => `${measurement.metric} ${measurement.contender}: ${measurement.harnessCpuMicrosPerOperation?.toFixed(1)} µs`).join(' · '));
  }
  return lines.join('\n');
}
