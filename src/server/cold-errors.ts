import type { NextFunction, Request, Response } from 'express';
import { LabError } from '../protocol/index.ts';
import { sendError } from '../transports/http-io.ts';

/** Descriptor exhaustion: the process is full, not broken; a retry a moment later succeeds. */
const OUT_OF_DESCRIPTORS = new Set(['EMFILE', 'ENFILE']);

/**
 * What an error reaching express's error handler means for the client
 * (issue 8, finding 9). Express and its middleware (body-parser's
 * `express.json`, the router's parameter decoding, serve-static) raise
 * http-errors with a 4xx `status` for the client's faults — bad JSON, a body
 * over the limit, `%E0%A4%A` in a path — which are a 400/413/404 with one of
 * our codes, never a 500. Running out of file descriptors is a 503 with
 * Retry-After. Anything else stays a server fault (undefined: 500 `internal`).
 */
export function clientFault(error: unknown): LabError | undefined {
  if (error instanceof LabError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode, code } = error as { status?: unknown; statusCode?: unknown; code?: unknown };
  if (typeof code === 'string' && OUT_OF_DESCRIPTORS.has(code)) {
    return new LabError('unavailable', 'the server has no file descriptor free right now; retry', 1);
  }
  const httpStatus = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  if (httpStatus === undefined || httpStatus < 400 || httpStatus >= 500) return undefined;
  const message = (error as { message?: unknown }).message;
  const why = typeof message === 'string' && message.length > 0 && message.length < 200 ? message : 'bad request';
  if (httpStatus === 413) return new LabError('payload_too_large', `the request body is too large (${why})`);
  if (httpStatus === 404) return new LabError('not_found', why);
  return new LabError('bad_request', why);
}

/**
 * The express app's last handler: a client's fault is answered with its code
 * and logged as one line (when logging is on) — no stack; a server fault is a
 * 500 `internal`, logged with its stack once by `sendError`.
 */
export function coldErrorHandler(log: boolean) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const fault = clientFault(error);
    if (!fault) {
      sendError(res, error);
      return;
    }
    if (log) console.error(`transport-lab: ${fault.status} ${fault.code} ${req.method} ${req.path}: ${fault.message}`);
    sendError(res, fault);
  };
}
