/**
 * The summary printed at the end of a run: one table per scenario,
 * transport × key figures, the projection, the server's ceiling, the peers'
 * ratios, and every error with where it happened and why.
 */
import type { BenchResults, RunError, ScenarioResult } from '../../src/results/schema.ts';
import { transportLabel } from './chart-spec.ts';
import { compressionTable } from './compression-table.ts';
import { http2HeaderTable } from './h2-table.ts';
import { replay2009Table } from './replay-table.ts';
import { stickinessErrors, stickinessTable } from './sticky-table.ts';
import { ceilingTable, conditionalPollTable, headerProjectionTable, idleTable, nothingDelivered, peersTable, projectionTable, summaryTable, theoryTable } from './tables.ts';
import { abuseTable } from '../abuse/report.ts';
import { faultsTables } from '../faults/report.ts';
import { clusterTables } from '../cluster/report.ts';
import type { Table } from './tables.ts';

/** Lays a table out in fixed-width columns (first column left-aligned, the rest right-aligned). */
export function formatTextTable(table: Table): string {
  const all = [table.head, ...table.rows];
  const widths = table.head.map((_, column) => Math.max(...all.map((row) => [...(row[column] ?? '')].length)));
  const line = (row: string[]): string =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  return [table.caption, line(table.head), rule, ...table.rows.map(line)].join('\n');
}

/** One error as `! where source: message`, with the last output of a process that died, indented. */
export function formatError(where: string, error: RunError): string {
  const output = error.output
    ? `\n${error.output.trimEnd().split('\n').map((line) => `    | ${line}`).join('\n')}`
    : '';
  return `! ${where ? `${where} ` : ''}${error.source}: ${error.message}${output}`;
}

/**
 * A scenario: its name and description once, then its tables — key figures,
 * theory next to measurement (with the formula), what waiting costs where
 * nothing was delivered, the projection — and its errors. A scenario with no
 * figures at all says so instead of printing empty tables.
 */
function formatScenario(scenario: ScenarioResult): string {
  const parts: string[] = [`== ${scenario.name}: ${scenario.description}`];
  const network = scenario.params.network;
  if (network.description) parts.push(`network ${network.name}: ${network.rttMs} ms round trip, ${network.description}`);
  if (scenario.transports.length > 0) {
    parts.push(formatTextTable(summaryTable(scenario)));
    const idle = idleTable(scenario);
    if (idle) parts.push(formatTextTable(idle));
    const conditional = conditionalPollTable(scenario);
    if (conditional) parts.push(formatTextTable(conditional));
    const compression = compressionTable(scenario);
    if (compression) parts.push(formatTextTable(compression));
    const http2 = http2HeaderTable(scenario);
    if (http2) parts.push(formatTextTable(http2));
    const replay = replay2009Table(scenario);
    if (replay) parts.push(formatTextTable(replay));
    if (!nothingDelivered(scenario)) parts.push(formatTextTable(theoryTable(scenario)));
    parts.push(formatTextTable(projectionTable(scenario)));
    const headers = headerProjectionTable(scenario);
    if (headers) parts.push(formatTextTable(headers));
  }
  const ceiling = ceilingTable(scenario);
  if (ceiling) parts.push(formatTextTable(ceiling));
  if (parts.length === 1) {
    parts.push(`${scenario.name}: no figures${scenario.incomplete ? ' (incomplete)' : ''}${scenario.errors.length > 0 ? ', see its errors below' : ''}`);
  }
  const errors = [
    ...scenario.errors.map((error) => formatError(scenario.name, error)),
    ...scenario.transports.flatMap((row) =>
      row.errors.map((error) => formatError(`${scenario.name} × ${transportLabel(row)}`, error)),
    ),
  ];
  if (errors.length > 0) parts.push(errors.join('\n'));
  return parts.join('\n\n');
}

export function formatSummary(results: BenchResults): string {
  const parts: string[] = [];
  if (results.incomplete) parts.push('!! INCOMPLETE RUN: the figures are what was measured before it stopped.');
  for (const scenario of results.scenarios) parts.push(formatScenario(scenario));
  const peers = peersTable(results);
  if (peers) parts.push(formatTextTable(peers));
  const sticky = stickinessTable(results);
  if (sticky) parts.push(formatTextTable(sticky));
  const abuse = abuseTable(results);
  if (abuse) parts.push(formatTextTable(abuse));
  for (const table of faultsTables(results)) parts.push(formatTextTable(table));
  for (const table of clusterTables(results)) parts.push(formatTextTable(table));
  const runErrors = [
    ...results.errors.map((error) => formatError('', error)),
    ...(results.peers?.errors ?? []).concat(stickinessErrors(results)).map((error) => formatError('peers', error)),
  ];
  if (runErrors.length > 0) parts.push(runErrors.join('\n'));
  // Where the latencies were measured: a VM's CPUs waking from sleep add to every one of them.
  if (results.context.cpuWake) parts.push(`Machine: ${results.context.cpuWake.note}.`);
  return `${parts.join('\n\n')}\n`;
}
