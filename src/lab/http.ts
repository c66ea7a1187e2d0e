/**
 * Helpers of the lab routes. Their errors are answered by the server's one
 * error writer, `sendError` (src/transports/http-io.ts), like every other route.
 */
import { LabError } from '../protocol/index.ts';

/** Reads a number field of a JSON body within bounds, or throws bad_request naming it. */
export function numberField(body: unknown, field: string, min: number, max: number): number | undefined {
  if (typeof body !== 'object' || body === null) throw new LabError('bad_request', 'the body must be a JSON object');
  const value = (body as Record<string, unknown>)[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new LabError('bad_request', `${field} must be a number from ${min} to ${max}`);
  }
  return value;
}
