/**
 * FIXTURE ONLY: adds to a results fixture what the committed one lacks — an
 * `http-ceiling` scenario (made-up figures, nothing measured), a scenario that
 * did not run, and errors with a reason and a dead process's output.
 */
import type { BenchResults, CeilingFigures, ScenarioResult } from '../../src/results/schema.ts';

export function ceilingFigures(): CeilingFigures {
  return {
    connections: 50,
    secondsPerEndpoint: 3,
    endpoints: [
      { endpoint: 'GET /api/poll', requestsPerSecond: 7321.5, latencyMs: { p50: 6, p99: 17, max: 42 }, requests: 21_964, errors: 0, non2xx: 0 },
      { endpoint: 'POST /api/messages', requestsPerSecond: 4102.2, latencyMs: { p50: 11, p99: 25, max: 61 }, requests: 12_306, errors: 2, non2xx: 5 },
    ],
    pollClients: [
      { intervalMs: 250, clients: 1830 },
      { intervalMs: 1000, clients: 7321 },
      { intervalMs: 5000, clients: 36_607 },
    ],
  };
}

function scenarioLike(base: ScenarioResult, name: string, description: string): ScenarioResult {
  return { ...structuredClone(base), name, description, transports: [], errors: [], incomplete: false };
}

/** The fixture plus `http-ceiling` and an empty `burst` scenario, with errors at every level. */
export function withCeilingAndFailures(results: BenchResults): BenchResults {
  const copy = structuredClone(results);
  const ceiling = scenarioLike(copy.scenarios[0], 'http-ceiling', 'FIXTURE: autocannon against the poll and publish endpoints.');
  ceiling.ceiling = ceilingFigures();
  ceiling.errors.push({ source: 'http-ceiling', message: 'POST /api/messages: 5 non-2xx answers, 2 errors' });
  const burst = scenarioLike(copy.scenarios[0], 'burst', 'FIXTURE: bursts of messages at once.');
  burst.incomplete = true;
  burst.errors.push({ source: 'server', message: 'exited with code 1', output: 'Error: listen EADDRINUSE\n    at Server.listen' });
  copy.scenarios[0].transports[1].errors.push({ source: 'client-1', message: 'worker stopped answering' });
  copy.scenarios.push(ceiling, burst);
  return copy;
}
