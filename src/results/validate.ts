/**
 * Tells a usable results file from a missing, corrupt or old-schema one, for
 * the report page, the lab server and the dashboard. It checks the
 * structure the readers rely on, not every figure.
 */
import { SCHEMA_VERSION } from './schema.ts';
import type { BenchResults } from './schema.ts';

export type ValidationFailure = 'missing' | 'corrupt' | 'old-schema' | 'newer-schema';

export type ValidationResult =
  | { ok: true; results: BenchResults }
  | { ok: false; failure: ValidationFailure; reason: string };

/**
 * Tells a usable results file from a missing, corrupt or old-schema one.
 * Accepts the parsed JSON, or a string (parsed here), or undefined/null/"" (missing).
 */
export function validateResults(json: unknown): ValidationResult {
  if (json === undefined || json === null || (typeof json === 'string' && json.trim() === '')) {
    return { ok: false, failure: 'missing', reason: 'no results: the file is missing or empty' };
  }
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      return { ok: false, failure: 'corrupt', reason: `not JSON: ${(error as Error).message}` };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, failure: 'corrupt', reason: 'not a results object' };
  }
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version !== 'number') {
    return { ok: false, failure: 'old-schema', reason: 'no schemaVersion: written before the format was versioned' };
  }
  if (version < SCHEMA_VERSION) {
    return { ok: false, failure: 'old-schema', reason: `schema version ${version}; this build reads version ${SCHEMA_VERSION}: re-run the bench` };
  }
  if (version > SCHEMA_VERSION) {
    return { ok: false, failure: 'newer-schema', reason: `schema version ${version} is newer than this build (${SCHEMA_VERSION}): update the lab` };
  }
  const problem = checkResultsShape(value);
  if (problem) return { ok: false, failure: 'corrupt', reason: problem };
  return { ok: true, results: value as BenchResults };
}

/** The first structural problem of a results object of the right version, or null. */
function checkResultsShape(value: object): string | null {
  const run = value as Partial<Record<keyof BenchResults, unknown>>;
  if (typeof run.runId !== 'string') return 'runId is missing';
  if (!isObject(run.context)) return 'context is missing';
  if (!isObject(run.config)) return 'config is missing';
  if (!Array.isArray(run.scenarios)) return 'scenarios is not a list';
  for (const [i, scenario] of run.scenarios.entries()) {
    if (!isObject(scenario) || typeof scenario.name !== 'string' || !Array.isArray(scenario.transports)) {
      return `scenarios[${i}] has no name or transports`;
    }
    for (const [j, figures] of (scenario.transports as unknown[]).entries()) {
      const where = `scenarios[${i}].transports[${j}]`;
      if (!isObject(figures) || typeof figures.transport !== 'string') return `${where} has no transport`;
      for (const part of ['latency', 'deliveries', 'requests', 'wire', 'perDelivery', 'server', 'projection', 'theory'] as const) {
        if (!isObject(figures[part])) return `${where}.${part} is missing`;
      }
      if (!Array.isArray(figures.series)) return `${where}.series is not a list`;
    }
    if (scenario.ceiling !== undefined) {
      const problem = checkCeilingShape(scenario.ceiling);
      if (problem) return `scenarios[${i}].ceiling ${problem}`;
    }
  }
  if (isObject(run.peers) && run.peers.sticky !== undefined) {
    const problem = checkStickinessShape(run.peers.sticky);
    if (problem) return `peers.sticky ${problem}`;
  }
  if (run.cluster !== undefined) {
    const problem = checkClusterShape(run.cluster);
    if (problem) return `cluster ${problem}`;
  }
  return null;
}

/** Figures of one sticky run that the report prints (src/results/sticky.ts). */
const STICKY_RUN_COUNTS = [
  'clients', 'clientsSubscribed', 'clientsWithMessage', 'published', 'expectedDeliveries', 'delivered', 'lost',
  'duplicates', 'requests', 'failedRequests', 'sessionIdUnknown', 'reconnects', 'nodesAnswering',
] as const;

/** The peers' sticky part is optional, but when present the report reads its config and every run's counts. */
function checkStickinessShape(sticky: unknown): string | null {
  if (!isObject(sticky)) return 'is not an object';
  if (!isObject(sticky.config) || !isObject(sticky.versions) || !Array.isArray(sticky.errors)) return 'has no config, versions or errors';
  if (!Array.isArray(sticky.runs)) return 'has no runs list';
  for (const [k, run] of (sticky.runs as unknown[]).entries()) {
    if (!isObject(run) || typeof run.contender !== 'string' || (run.balancing !== 'round-robin' && run.balancing !== 'sticky')) {
      return `runs[${k}] has no contender or balancing`;
    }
    const missing = STICKY_RUN_COUNTS.find((key) => typeof run[key] !== 'number');
    if (missing) return `runs[${k}].${missing} is not a number`;
  }
  return null;
}

/** The cluster figures are optional, but when present the report reads their lists and these fields of every row. */
function checkClusterShape(cluster: unknown): string | null {
  if (!isObject(cluster)) return 'is not an object';
  if (!isObject(cluster.settings) || !isObject(cluster.redis)) return 'has no settings or redis';
  for (const list of ['rows', 'hop', 'failover', 'errors'] as const) {
    if (!Array.isArray(cluster[list])) return `has no ${list} list`;
  }
  if (!isObject(cluster.projection) || !Array.isArray(cluster.projection.rows) || typeof cluster.projection.formula !== 'string') {
    return 'has no projection with a formula and rows';
  }
  for (const [k, row] of (cluster.rows as unknown[]).entries()) {
    if (!isObject(row) || typeof row.setup !== 'string' || typeof row.transport !== 'string' || !isObject(row.latency) || !isObject(row.deliveries)
      || !Array.isArray(row.nodeCpuSeconds) || typeof row.cpuMicrosPerDelivery !== 'number') {
      return `rows[${k}] has no setup, transport, latency, deliveries, nodeCpuSeconds or cpuMicrosPerDelivery`;
    }
  }
  for (const [k, row] of (cluster.failover as unknown[]).entries()) {
    if (!isObject(row) || typeof row.transport !== 'string' || !isObject(row.reconnectMs) || typeof row.lost !== 'number' || typeof row.duplicated !== 'number') {
      return `failover[${k}] has no transport, reconnectMs, lost or duplicated`;
    }
  }
  return null;
}

/** The http-ceiling figures are optional, but when present the report reads their lists. */
function checkCeilingShape(ceiling: unknown): string | null {
  if (!isObject(ceiling)) return 'is not an object';
  if (!Array.isArray(ceiling.endpoints)) return 'has no endpoints list';
  if (!Array.isArray(ceiling.pollClients)) return 'has no pollClients list';
  for (const [k, endpoint] of (ceiling.endpoints as unknown[]).entries()) {
    if (!isObject(endpoint) || typeof endpoint.endpoint !== 'string' || typeof endpoint.requestsPerSecond !== 'number' || !isObject(endpoint.latencyMs)) {
      return `endpoints[${k}] has no endpoint, requestsPerSecond or latencyMs`;
    }
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
