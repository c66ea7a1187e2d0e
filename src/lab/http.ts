/** The lab routes' error answers, in the shape of PROTOCOL.md § Errors. */
import type express from 'express';
import { LabError } from '../protocol/index.ts';

export function sendLabError(res: express.Response, error: unknown): void {
  const lab = error instanceof LabError ? error : null;
  if (!lab && !res.headersSent) {
    // Not a client's fault: say so without leaking internals.
    res.status(500).json({ error: { code: 'internal', message: 'the lab failed to answer; see the server log' } });
    console.error('lab route failed:', error);
    return;
  }
  if (lab && !res.headersSent) {
    if (lab.retryAfter !== undefined) res.set('Retry-After', String(lab.retryAfter));
    res.status(lab.status).json(lab.toBody());
  }
}

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
