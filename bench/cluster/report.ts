/**
 * The `cluster` section of the terminal summary and the HTML report: the
 * setups side by side, the Redis hop against the in-memory bus, the nodes a
 * number of clients needs, and the failover. Called once from each report
 * (bench/report/terminal.ts, html.ts).
 */
import type { ClusterResult, ClusterSetupName } from '../../src/results/cluster.ts';
import type { BenchResults } from '../../src/results/schema.ts';
import { formatBytes, formatMs, formatNumber } from '../report/format.ts';
import type { Table } from '../report/tables.ts';

const SETUP_LABELS: Record<ClusterSetupName, string> = {
  'memory-1': 'in-memory, 1 node',
  'redis-1': 'Redis, 1 node',
  'redis-2': 'Redis, 2 nodes',
};

const TOP_COMMANDS = 6;

/** "get 2.39, evalsha 1.53, xrange 0.92": calls ÷ deliveries, the most called first. */
export function topCommands(calls: Record<string, number>, deliveries: number): string {
  return Object.entries(calls)
    .sort(([, a], [, b]) => b - a)
    .slice(0, TOP_COMMANDS)
    .map(([name, count]) => `${name} ${formatNumber(count / deliveries, 2)}`)
    .join(', ');
}

function signedMs(ms: number): string {
  return `${ms >= 0 ? '+' : '−'}${formatMs(Math.abs(ms))}`;
}

/** Why a second node shows no gain here: said in the report, not left to the reader. */
function coresNote(cluster: ClusterResult): string {
  return cluster.cores <= 2
    ? `This machine has ${cluster.cores} cores, shared by the nodes, nginx, Redis and the clients: a second node cannot add throughput here, so the figures are per-node cost, and the projection turns that cost into nodes.`
    : `This machine has ${cluster.cores} cores, shared by the nodes, nginx, Redis and the clients: read the figures as per-node cost.`;
}

export function clusterTables(results: BenchResults): Table[] {
  const cluster = results.cluster;
  if (!cluster) return [];
  const s = cluster.settings;
  const redis = `Redis ${cluster.redis.version}${cluster.redis.owned ? ' (started for this run: its INFO counts our nodes only)' : ' (the machine\'s, shared: its INFO counts other clients too)'}`;
  const setups: Table = {
    caption:
      `Cluster: the chat workload, ${s.clients} clients each publishing ${s.publishRatePerSecond}/s, ${s.bodyBytes}-byte bodies, ${s.durationSeconds} s per row; ` +
      `network: ${s.network}; every setup behind ${cluster.proxy}; ${redis}. ` +
      `Node CPU is summed over the nodes (each node's /api/stats); Redis figures are INFO after minus before the measured phase, per delivery. ${coresNote(cluster)}`,
    head: ['setup', 'transport', 'deliveries', 'lost', 'duplicated', 'p50', 'p99', 'node CPU/delivery', 'CPU s per node', 'Redis cmds/delivery', 'Redis in/delivery', 'Redis out/delivery', 'Redis CPU/delivery'],
    rows: cluster.rows.map((row) => [
      SETUP_LABELS[row.setup],
      row.transport + (row.incomplete ? ' (incomplete)' : ''),
      String(row.deliveries.received),
      String(row.deliveries.lost),
      String(row.deliveries.duplicated),
      formatMs(row.latency.p50),
      formatMs(row.latency.p99),
      `${formatNumber(row.cpuMicrosPerDelivery, 1)} µs`,
      row.nodeCpuSeconds.map((seconds) => `${formatNumber(seconds, 2)} s`).join(' + '),
      row.redisPerDelivery ? formatNumber(row.redisPerDelivery.commands, 2) : '–',
      row.redisPerDelivery ? formatBytes(row.redisPerDelivery.netInputBytes) : '–',
      row.redisPerDelivery ? formatBytes(row.redisPerDelivery.netOutputBytes) : '–',
      row.redisPerDelivery ? `${formatNumber(row.redisPerDelivery.cpuMicros, 1)} µs` : '–',
    ]),
  };
  const twoNodes = cluster.rows.filter((row) => row.setup === 'redis-2' && row.redis && row.deliveries.received > 0);
  const commands: Table = {
    caption:
      `What the Redis commands are, per delivery, on the two-node rows (the ${TOP_COMMANDS} most called; INFO commandstats). ` +
      'The commands a Lua script runs (the publish script\'s XADD, PUBLISH, HINCRBY …) are counted as Redis counts them, one by one, beside the EVALSHA that ran them.',
    head: ['transport', 'commands per delivery, most called first'],
    rows: twoNodes.map((row) => [row.transport, topCommands(row.redis?.calls ?? {}, row.deliveries.received)]),
  };
  const hop: Table = {
    caption: 'What Redis adds, against the in-memory row of the same transport (latency measured from when each message was due; a negative figure is within the noise).',
    head: ['transport', 'setup', 'p50 added', 'p99 added', 'node CPU/delivery ×'],
    rows: cluster.hop.map((row) => [row.transport, SETUP_LABELS[row.setup], signedMs(row.addedP50Ms), signedMs(row.addedP99Ms), `× ${formatNumber(row.cpuRatio, 2)}`]),
  };
  const projection: Table = {
    caption: `Nodes needed, projected: ${cluster.projection.formula}. Basis: ${cluster.projection.basis}.`,
    head: ['transport', 'clients per node', 'clients per Redis', ...cluster.projection.rows[0]?.nodes.map((n) => `nodes for ${formatNumber(n.clients, 0)}`) ?? [], ...cluster.projection.rows[0]?.redisCpuPercent.map((n) => `Redis core at ${formatNumber(n.clients, 0)}`) ?? []],
    rows: cluster.projection.rows.map((row) => [
      row.transport,
      formatNumber(row.clientsPerNode, 0),
      formatNumber(row.clientsPerRedis, 0),
      ...row.nodes.map((n) => formatNumber(n.nodes, 0)),
      ...row.redisCpuPercent.map((n) => `${formatNumber(n.percent, 0)} %`),
    ]),
  };
  const failover: Table = {
    caption:
      `Failover: ${s.failoverReaders} readers per transport through nginx to two nodes (sse and ws readers added until each node holds one), one writer, one node SIGKILLed mid-run. ` +
      'Noticed: readers whose client went reconnecting (the held transports\' readers on the killed node; a request nginx retries on the other node is not noticed). Lost, duplicated and gaps must be 0.',
    head: ['transport', 'noticed', 'reconnect p50', 'reconnect max', 'unrecovered', 'sent', 'expected', 'delivered', 'lost', 'duplicated', 'gaps'],
    rows: cluster.failover.map((row) => [
      row.transport,
      `${row.noticed}/${row.readers}`,
      row.reconnectMs.count ? formatMs(row.reconnectMs.p50) : '–',
      row.reconnectMs.count ? formatMs(row.reconnectMs.max) : '–',
      String(row.unrecovered),
      String(row.sent),
      String(row.expected),
      String(row.delivered),
      String(row.lost),
      String(row.duplicated),
      String(row.gaps),
    ]),
  };
  return [setups, commands, hop, projection, failover].filter((table) => table.rows.length > 0);
}

/** The HTML section (empty when the run had no cluster scenario). */
export function clusterHtmlSection(results: BenchResults, renderTable: (table: Table) => string): string {
  const tables = clusterTables(results);
  return tables.length > 0 ? `<section class="cluster" id="cluster"><h2>Several nodes on Redis behind nginx</h2>${tables.map(renderTable).join('')}</section>` : '';
}
