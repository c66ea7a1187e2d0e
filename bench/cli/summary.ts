/**
 * The summary printed at the end: bench/report's terminal summary, plus what
 * it does not show yet — the http-ceiling figures, and every error of a
 * scenario or transport with the last output of a process that died.
 */
import type { BenchResults, RunError } from '../schema.ts';
import type { CeilingFigures } from '../run/run-ceiling.ts';
import { formatSummary } from '../report/terminal.ts';

function ceilingText(name: string, ceiling: CeilingFigures): string {
  const endpoints = ceiling.endpoints.map(
    (endpoint) =>
      `  ${endpoint.endpoint.padEnd(20)} ${Math.round(endpoint.requestsPerSecond).toLocaleString('en')} req/s ` +
      `(p50 ${endpoint.latencyMs.p50} ms, p99 ${endpoint.latencyMs.p99} ms, ${ceiling.connections} connections, ${ceiling.secondsPerEndpoint} s)`,
  );
  const clients = ceiling.pollClients.map((row) => `T = ${row.intervalMs} ms → ${row.clients.toLocaleString('en')}`).join(', ');
  return [`${name}: the server's ceiling, one process`, ...endpoints, clients ? `  short-polling clients it can serve: ${clients}` : '']
    .filter(Boolean)
    .join('\n');
}

function errorText(where: string, error: RunError): string {
  const output = error.output ? `\n${error.output.split('\n').map((line) => `    | ${line}`).join('\n')}` : '';
  return `  ! ${where} ${error.source}: ${error.message}${output}`;
}

export function summaryText(results: BenchResults): string {
  // Scenarios without transports (http-ceiling) have no row for the summary tables.
  const tabled = { ...results, scenarios: results.scenarios.filter((scenario) => scenario.transports.length > 0) };
  const parts = [formatSummary(tabled).trimEnd()];
  for (const scenario of results.scenarios) {
    const ceiling = (scenario as { ceiling?: CeilingFigures }).ceiling;
    if (ceiling) parts.push(ceilingText(scenario.name, ceiling));
    const errors = [
      ...scenario.errors.map((error) => errorText(scenario.name, error)),
      ...scenario.transports.flatMap((row) => row.errors.map((error) => errorText(`${scenario.name} × ${row.transport}`, error))),
    ];
    if (errors.length > 0) parts.push(errors.join('\n'));
  }
  return parts.join('\n\n');
}
