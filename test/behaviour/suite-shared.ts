import { LabError } from '../../src/protocol/index.ts';
import type { LabServer } from '../../src/server/create.ts';

/** What the cases use of a server: where it listens, its options, and close(). */
export type SuiteServer = Pick<LabServer, 'url' | 'port' | 'options' | 'close'>;

/** The error a promise rejected with, as a LabError (fails the test otherwise). */
export async function rejection(promise: Promise<unknown>): Promise<LabError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof LabError)) {
    throw new Error(`expected a LabError, got ${outcome === undefined ? 'success' : String(outcome)}`);
  }
  return outcome;
}

