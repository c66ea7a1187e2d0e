/**
 * Loads runs for the dashboard and tells a usable file from a missing, empty,
 * corrupt or old-schema one with the results contract's own `validateResults`.
 */
import type { BenchResults } from '../../../src/results/schema.ts';
import { validateResults, type ValidationFailure } from '../../../src/results/validate.ts';
import type { ResultsListing } from '../../../src/lab/types.ts';
import { getJson } from '../lab-api.ts';

export type LoadedRun =
  | { file: string; ok: true; results: BenchResults }
  | { file: string; ok: false; failure: ValidationFailure | 'unreachable'; reason: string };

export function listRuns(): Promise<ResultsListing> {
  return getJson<ResultsListing>('/api/lab/results');
}

export async function loadRun(file: string): Promise<LoadedRun> {
  let response: Response;
  try {
    response = await fetch(`/api/lab/results/${encodeURIComponent(file)}`);
  } catch (error) {
    return { file, ok: false, failure: 'unreachable', reason: `the server did not answer: ${(error as Error).message}` };
  }
  if (response.status === 404) return { file, ok: false, ...failureOf(validateResults(undefined)) };
  if (!response.ok) {
    return { file, ok: false, failure: 'unreachable', reason: `the server answered HTTP ${response.status}` };
  }
  const checked = validateResults(await response.text());
  return checked.ok ? { file, ok: true, results: checked.results } : { file, ok: false, ...failureOf(checked) };
}

function failureOf(checked: ReturnType<typeof validateResults>): { failure: ValidationFailure; reason: string } {
  if (checked.ok) throw new Error('not a failure');
  return { failure: checked.failure, reason: checked.reason };
}

/** What to tell a person about a file the dashboard cannot show. */
export function explainFailure(run: Extract<LoadedRun, { ok: false }>): string {
  switch (run.failure) {
    case 'missing':
      return `${run.file} is missing or empty: there is nothing to show. Run \`npm run bench -- --quick\` to make a run.`;
    case 'corrupt':
      return `${run.file} is corrupt and cannot be shown (${run.reason}). Re-run the bench, or open the file to see what cut it short.`;
    case 'old-schema':
      return `${run.file} was written by an older version of the bench (${run.reason}).`;
    case 'newer-schema':
      return `${run.file} was written by a newer version of the lab (${run.reason}).`;
    case 'unreachable':
      return `${run.file} could not be loaded: ${run.reason}.`;
  }
}
