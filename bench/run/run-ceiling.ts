/**
 * The `http-ceiling` scenario: autocannon drives `GET /api/poll` and then
 * `POST /api/messages` as hard as it can, to find the requests per second one
 * server process holds — and so how many short-polling clients at interval T
 * it could serve (T × requests/s, ignoring the publishes they would also make).
 */
import autocannon from 'autocannon';
import type { CeilingFigures, RunError } from '../../src/results/schema.ts';
import type { WorkloadSettings } from '../scenarios/types.ts';
import { startServer, ServerFailure } from './server-process.ts';

const CONNECTIONS = 50;
const INTERVALS_MS = [250, 1000, 5000];

export async function runCeiling(
  settings: WorkloadSettings,
  pin: boolean,
  signal: AbortSignal,
): Promise<{ figures: CeilingFigures; errors: RunError[]; incomplete: boolean }> {
  const seconds = Math.max(2, Math.round(settings.durationSeconds / 2));
  const figures: CeilingFigures = { connections: CONNECTIONS, secondsPerEndpoint: seconds, endpoints: [], pollClients: [] };
  const errors: RunError[] = [];
  let incomplete = false;
  let server;
  try {
    server = await startServer({ pin });
    const session = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ceiling' }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!session.ok) throw new Error(`POST /api/session → ${session.status}`);
    const { token } = (await session.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const body = JSON.stringify({ topic: 'room:ceiling', body: 'x'.repeat(settings.bodyBytes) });
    const runs = [
      { endpoint: 'GET /api/poll', method: 'GET' as const, path: '/api/poll?topics=room:ceiling', headers: auth },
      {
        endpoint: 'POST /api/messages',
        method: 'POST' as const,
        path: '/api/messages?via=poll',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      },
    ];
    for (const run of runs) {
      if (signal.aborted) {
        incomplete = true;
        break;
      }
      const instance = autocannon({
        url: `${server.url}${run.path}`,
        method: run.method,
        headers: run.headers,
        body: run.body,
        connections: CONNECTIONS,
        duration: seconds,
      });
      const stop = (): void => (instance as unknown as { stop?: () => void }).stop?.();
      signal.addEventListener('abort', stop, { once: true });
      const result = await instance;
      signal.removeEventListener('abort', stop);
      figures.endpoints.push({
        endpoint: run.endpoint,
        requestsPerSecond: result.requests.average,
        latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        requests: result.requests.total,
        errors: result.errors,
        non2xx: result.non2xx,
      });
      if (result.non2xx > 0 || result.errors > 0) {
        errors.push({ source: 'http-ceiling', message: `${run.endpoint}: ${result.non2xx} non-2xx answers, ${result.errors} errors` });
      }
    }
    const poll = figures.endpoints.find((endpoint) => endpoint.endpoint === 'GET /api/poll');
    if (poll) {
      const intervals = [...new Set([...INTERVALS_MS, settings.pollIntervalMs])].sort((a, b) => a - b);
      figures.pollClients = intervals.map((intervalMs) => ({ intervalMs, clients: Math.floor((poll.requestsPerSecond * intervalMs) / 1000) }));
    }
    if (server.death()) throw server.death();
  } catch (error) {
    incomplete = true;
    errors.push(
      error instanceof ServerFailure
        ? { source: 'server', message: error.message, output: error.output }
        : { source: 'http-ceiling', message: (error as Error).message },
    );
  } finally {
    await server?.stop();
  }
  return { figures, errors, incomplete };
}
