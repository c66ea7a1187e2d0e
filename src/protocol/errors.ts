/**
 * The one list of error codes (PROTOCOL.md § Errors). Every HTTP status,
 * WebSocket error frame and close code the server emits comes from here.
 */
export const ERRORS = {
  bad_request: { status: 400, wsClose: null },
  unauthorized: { status: 401, wsClose: 1008 },
  forbidden: { status: 403, wsClose: 1008 },
  unknown_user: { status: 404, wsClose: null },
  name_taken: { status: 409, wsClose: null },
  payload_too_large: { status: 413, wsClose: 1009 },
  rate_limited: { status: 429, wsClose: null },
  too_many_connections: { status: 503, wsClose: 1013 },
  slow_consumer: { status: 503, wsClose: 1013 },
  shutting_down: { status: 503, wsClose: 1001 },
  not_found: { status: 404, wsClose: null },
  unavailable: { status: 503, wsClose: 1011 },
  internal: { status: 500, wsClose: 1011 },
} as const satisfies Record<string, { status: number; wsClose: number | null }>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** The JSON body of every HTTP error. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** A fault with a stable code; transports map it to a status, a frame or a close. */
export class LabError extends Error {
  readonly code: ErrorCode;
  /** Seconds a client should wait before retrying, where waiting helps. */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, retryAfter?: number) {
    super(message);
    this.name = 'LabError';
    this.code = code;
    this.retryAfter = retryAfter;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && value in ERRORS;
}
