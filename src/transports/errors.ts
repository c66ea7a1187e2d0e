import { ERRORS, LabError, type ErrorFrame } from '../protocol/index.ts';

/**
 * Error mapping shared by every transport (STYLE habit 3): a LabError keeps its
 * code; anything else is a server fault: `internal` (500), logged once.
 */
export function toLabError(error: unknown): LabError {
  if (error instanceof LabError) return error;
  console.error('transport-lab: unexpected error', error);
  return new LabError('internal', 'internal error');
}

/**
 * The WebSocket form of an error caused by one client frame: the connection
 * survives it, so it is always an `error` frame (a forbidden subscribe or an
 * oversized body included); only connection-level faults close (`wsCloseCode`).
 */
export function errorFrame(error: LabError, ref?: string): ErrorFrame {
  const frame: ErrorFrame = { op: 'error', code: error.code, message: error.message };
  if (ref !== undefined) frame.ref = ref;
  return frame;
}

/** The close code for a connection-level fault (PROTOCOL.md § Errors); 1011 for codes without one. */
export function wsCloseCode(error: LabError): number {
  return ERRORS[error.code].wsClose ?? 1011;
}
