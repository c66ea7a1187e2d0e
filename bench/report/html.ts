/**
 * Writes the bench's report as ONE self-contained HTML page that opens from
 * the file system with no server: chart.js is inlined (its UMD build), the
 * results JSON is embedded, and the charts are drawn by the same chart module
 * as the dashboard (charts.ts), bundled into the page with esbuild.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { BenchResults, RunError, ScenarioResult } from '../../src/results/schema.ts';
import { chartConfigsFor } from './charts.ts';
import { transportLabel } from './chart-spec.ts';
import { http2HeaderTable } from './h2-table.ts';
import { replay2009Table } from './replay-table.ts';
import { formatBytes, formatNumber } from './format.ts';
import { compressionTable } from './compression-table.ts';
import { stickinessErrors, stickinessTable } from './sticky-table.ts';
import { ceilingTable, conditionalPollTable, headerProjectionTable, idleTable, nothingDelivered, peersTable, plural, projectionTable, summaryTable, theoryTable, workloadText } from './tables.ts';
import { abuseHtmlSection } from '../abuse/report.ts';
import { faultsHtmlSection } from '../faults/report.ts';
import { clusterHtmlSection } from '../cluster/report.ts';
import type { Table } from './tables.ts';
import { REPORT_CSS, READING_GUIDE } from './html-text.ts';

const require = createRequire(import.meta.url);
let pageScript: string | null = null;

/** chart.js's UMD build, which defines `window.Chart` when inlined. */
export function chartJsSource(): string {
  // require.resolve gives dist/chart.cjs; the UMD build sits next to it.
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8');
}

/** The browser script of the report (page.ts with charts.ts and src/results/validate.ts), bundled once per process. */
export function reportPageScript(): string {
  if (pageScript === null) {
    const built = buildSync({
      entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      // chart.js is inlined on its own; the page only uses its types.
      external: ['chart.js'],
      logLevel: 'silent',
    });
    pageScript = built.outputFiles[0].text;
  }
  return pageScript;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON that is safe inside a <script> element: no `</script>`, no `<!--`. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function scriptSafe(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

function renderTable(table: Table): string {
  const head = table.head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('');
  const rows = table.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table><caption>${escapeHtml(table.caption)}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function renderScenario(results: BenchResults, scenario: ScenarioResult): string {
  const p = scenario.params;
  const params = [
    workloadText(scenario),
    `${formatNumber(p.durationSeconds, 0)} s`,
    `${formatBytes(p.bodyBytes)} ${p.body === 'chat' ? 'chat-like' : 'filler'} bodies`,
    `poll every ${formatNumber(p.pollIntervalMs, 0)} ms`,
    `long-poll wait ${formatNumber(p.longPollWaitSeconds, 0)} s`,
    `network ${p.network.name} (${formatNumber(p.network.rttMs, 1)} ms RTT${p.network.description ? `; ${p.network.description}` : ''})`,
    `headers ${p.headers}`,
    ...(p.burstSize && p.burstSize > 1 ? [`bursts of ${plural(p.burstSize, 'message')}`] : []),
  ];
  const figures = chartConfigsFor(results, scenario.name).map((spec) => `
    <figure class="chart">
      <h3>${escapeHtml(spec.title)}</h3>
      <p class="caption">${escapeHtml(spec.caption)}</p>
      <div class="canvas-box"><canvas data-scenario="${escapeHtml(scenario.name)}" data-chart="${spec.id}" role="img" aria-label="${escapeHtml(spec.caption)}"></canvas></div>
      <details><summary>How to read it</summary><p>${escapeHtml(spec.howToRead)}</p></details>
    </figure>`).join('');
  const errors = [
    ...scenario.errors.map((error) => ({ where: '', error })),
    ...scenario.transports.flatMap((row) => row.errors.map((error) => ({ where: transportLabel(row), error }))),
  ];
  const hasRows = scenario.transports.length > 0;
  const ceiling = ceilingTable(scenario);
  const idle = idleTable(scenario);
  const conditional = conditionalPollTable(scenario);
  const compression = compressionTable(scenario);
  const replay = replay2009Table(scenario);
  const theory = hasRows && !nothingDelivered(scenario);
  return `
  <section class="scenario" id="scenario-${escapeHtml(scenario.name)}">
    <h2>${escapeHtml(scenario.name)}${scenario.incomplete ? ' <span class="warn">incomplete</span>' : ''}</h2>
    <p>${escapeHtml(scenario.description)}</p>
    ${hasRows ? `<p class="params">${params.map(escapeHtml).join(' · ')}</p>` : ''}
    ${hasRows ? renderTable(summaryTable(scenario)) : ''}
    ${idle ? renderTable(idle) : ''}
    ${conditional ? renderTable(conditional) : ''}
    ${compression ? renderTable(compression) : ''}
    ${hasRows && http2HeaderTable(scenario) ? renderTable(http2HeaderTable(scenario) as Table) : ''}
    ${replay ? renderTable(replay) : ''}
    ${ceiling ? renderTable(ceiling) : ''}
    ${!hasRows && !ceiling ? '<p class="warn">No figures: this scenario did not run to the end (see its errors).</p>' : ''}
    ${figures ? `<div class="charts">${figures}</div>` : ''}
    ${theory ? renderTable(theoryTable(scenario)) : ''}
    ${hasRows ? renderTable(projectionTable(scenario)) : ''}
    ${hasRows && headerProjectionTable(scenario) ? renderTable(headerProjectionTable(scenario) as Table) : ''}
    ${errors.length > 0 ? `<h3>Errors</h3>${renderErrors(errors)}` : ''}
  </section>`;
}

/** Errors with where they happened and, for a process that died, its last output. */
function renderErrors(errors: { where: string; error: RunError }[]): string {
  const items = errors.map(({ where, error }) =>
    `<li>${where ? `${escapeHtml(where)} · ` : ''}<b>${escapeHtml(error.source)}</b>: ${escapeHtml(error.message)}` +
    `${error.output ? `<pre>${escapeHtml(error.output)}</pre>` : ''}</li>`);
  return `<ul class="errors">${items.join('')}</ul>`;
}

/**
 * The page's in-page links: every scenario with a section of its own, and the
 * peers' section (the `peers` scenario's figures live there, not in a
 * scenario section of their own).
 */
export function navLinks(results: BenchResults, hasPeersSection: boolean): string[] {
  const links = results.scenarios
    .filter((scenario) => !(scenario.name === 'peers' && hasPeersSection))
    .map((scenario) => `<a href="#scenario-${escapeHtml(scenario.name)}">${escapeHtml(scenario.name)}</a>`);
  if (hasPeersSection) links.push('<a href="#peers">peers</a>');
  return links;
}

/** The whole report page for one run. */
export function renderHtmlReport(results: BenchResults): string {
  const c = results.context;
  const context = [
    `Node ${c.node}`, c.os, `${c.cpuModel} × ${c.cores}`, `commit ${c.commit ? c.commit.slice(0, 12) : 'unknown'}${c.dirty ? ' (dirty)' : ''}`,
    c.date, c.pinned ? 'processes pinned to cores' : 'processes not pinned', ...(c.cpuWake ? [c.cpuWake.note] : []),
    ...(c.machine ? [c.machine] : []),
  ];
  const peers = peersTable(results);
  const sticky = stickinessTable(results);
  const runErrors = results.errors.concat(results.peers?.errors ?? [], stickinessErrors(results));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>transport-lab report — ${escapeHtml(results.runId)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
  <h1>transport-lab: what each transport costs</h1>
  <p class="run">Run <code>${escapeHtml(results.runId)}</code> · ${context.map(escapeHtml).join(' · ')}</p>
  ${results.incomplete ? '<p class="banner warn">This run was interrupted: the figures below are what was measured before it stopped.</p>' : ''}
  <p id="report-error" class="banner warn" hidden></p>
</header>
<main>
  <section class="guide">${READING_GUIDE}</section>
  <nav>${navLinks(results, peers !== null || sticky !== null).join(' ')}</nav>
  ${results.scenarios.map((scenario) => renderScenario(results, scenario)).join('\n')}
  ${peers || sticky ? `<section class="peers" id="peers"><h2>Against reference servers</h2>${peers ? renderTable(peers) : ''}${sticky ? `<h3>Two nodes behind nginx: who needs sticky sessions</h3>${renderTable(sticky)}` : ''}</section>` : ''}
  ${abuseHtmlSection(results, renderTable)}
  ${faultsHtmlSection(results, renderTable)}
  ${clusterHtmlSection(results, renderTable)}
  ${runErrors.length > 0 ? `<section><h2>Errors</h2>${renderErrors(runErrors.map((error) => ({ where: '', error })))}</section>` : ''}
  <details class="config"><summary>Configuration of this run</summary><pre>${escapeHtml(JSON.stringify(results.config, null, 2))}</pre></details>
</main>
<script>${scriptSafe(chartJsSource())}</script>
<script type="application/json" id="results-data">${scriptSafeJson(results)}</script>
<script>${scriptSafe(reportPageScript())}</script>
</body>
</html>
`;
}
