/**
 * The `faults` section of the terminal summary and the HTML report: one row
 * per transport and fault, then one row per transport for delivery. Called
 * once from each report (bench/report/terminal.ts, html.ts).
 */
import type { BenchResults } from '../../src/results/schema.ts';
import { formatBytes, formatMs } from '../report/format.ts';
import type { Table } from '../report/tables.ts';

export function faultsTables(results: BenchResults): Table[] {
  const faults = results.faults;
  if (!faults) return [];
  const s = faults.settings;
  const h = s.heartbeats;
  const recovery: Table = {
    caption:
      `Recovery from each fault (${s.readers} readers through the delay proxy, one writer at ${s.publishRatePerSecond} msg/s; network: ${faults.network}). ` +
      `Heartbeats shortened so a run finishes: request timeout ${formatMs(h.requestTimeoutMs)}, long-poll wait ${h.longPollWaitSeconds} s + ${formatMs(h.longPollSlackMs)}, ` +
      `SSE keep-alive ${formatMs(h.sseKeepAliveMs)} and idle timeout ${formatMs(h.sseIdleTimeoutMs)}, ws ping every ${formatMs(h.wsPingIntervalMs)} + ${formatMs(h.wsPongTimeoutMs)} for the pong; the server lets a session without connections go after ${formatMs(h.sessionIdleMs)}. ` +
      'Noticed: readers whose client went reconnecting (a short poll between two requests may never see a cut). Extra: beyond the quiet baseline for as long.',
    head: ['transport', 'fault', 'noticed', 'notice p50', 'notice max', 'reconnect p50', 'reconnect max', 'unrecovered', 'extra requests', 'extra bytes'],
    rows: faults.transports.flatMap((t) => t.faults.map((f) => [
      t.transport,
      f.fault,
      `${f.noticed}/${s.readers}`,
      f.noticeMs.count ? formatMs(f.noticeMs.p50) : '–',
      f.noticeMs.count ? formatMs(f.noticeMs.max) : '–',
      f.reconnectMs.count ? formatMs(f.reconnectMs.p50) : '–',
      f.reconnectMs.count ? formatMs(f.reconnectMs.max) : '–',
      String(f.unrecovered),
      String(f.extraRequests),
      formatBytes(f.extraBytes),
    ])),
  };
  const delivery: Table = {
    caption:
      'Delivery through all the faults, over every reader: lost and duplicated must be 0; gapped counts only messages whose ' +
      'history went with the restarted server and that the reader was told of by a gap.',
    head: ['transport', 'sent', 'expected', 'delivered', 'lost', 'duplicated', 'gapped', 'publishes given up', 'stalls'],
    rows: faults.transports.map((t) => [
      t.transport,
      String(t.delivery.sent),
      String(t.delivery.expected),
      String(t.delivery.delivered),
      String(t.delivery.lost),
      String(t.delivery.duplicated),
      String(t.delivery.gapped),
      String(t.delivery.publishFailures),
      String(t.stalls),
    ]),
  };
  return [recovery, delivery];
}

/** The HTML section (empty when the run had no faults scenario). */
export function faultsHtmlSection(results: BenchResults, renderTable: (table: Table) => string): string {
  const tables = faultsTables(results);
  return tables.length > 0 ? `<section class="faults" id="faults"><h2>Faults: cuts, stalls, a silent drop, a restart</h2>${tables.map(renderTable).join('')}</section>` : '';
}
