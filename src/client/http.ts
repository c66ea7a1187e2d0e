import { LabError, isErrorCode } from '../protocol/index.ts';
import type { ErrorCode, PublishRequest, PublishResult, SessionResponse, TransportName } from '../protocol/index.ts';

/**
 * The HTTP side every client shares: URLs, JSON requests, and turning an
 * error answer `{"error":{"code","message"}}` into a LabError with the
 * server's code and its Retry-After.
 */

/** A fetch that failed before any answer: the network, not the server, said no. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

export type Query = Record<string, string | number | undefined>;

/** `baseUrl` + `path` + query; an empty baseUrl means the page's origin (browsers). */
export function buildUrl(baseUrl: string, path: string, query: Query = {}): URL {
  const origin = baseUrl || (globalThis as { location?: { origin: string } }).location?.origin;
  if (!origin) throw new TypeError('baseUrl is required outside a browser');
  const url = new URL(path, origin.endsWith('/') ? origin : `${origin}/`);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date). */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** The LabError an error answer stands for; a body that is not ours keeps a code by status. */
export async function errorFromResponse(response: Response): Promise<LabError> {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  let code: ErrorCode = codeForStatus(response.status);
  let message = `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (isErrorCode(body.error?.code)) code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // Not JSON (a proxy's page, an empty 503): the status is all we know.
  }
  return new LabError(code, message, retryAfter);
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400: return 'bad_request';
    case 401: return 'unauthorized';
    case 403: return 'forbidden';
    case 404: return 'unknown_user';
    case 409: return 'name_taken';
    case 413: return 'payload_too_large';
    case 429: return 'rate_limited';
    default: return 'too_many_connections';
  }
}

/** Where and how a client speaks HTTP (a subset of its resolved options). */
export interface HttpSettings {
  baseUrl: string;
  headers: Record<string, string>;
  fetch: typeof globalThis.fetch | undefined;
}

export interface JsonRequest {
  method: 'GET' | 'POST';
  url: URL;
  token?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
  /** Default: globalThis.fetch, looked up at call time. */
  fetch?: typeof globalThis.fetch;
  /** The fetch cache mode (default: fetch's own). */
  cache?: RequestCache;
}

/** A request that may be answered `304 Not Modified` (a conditional poll). */
export interface ConditionalJsonRequest<T> extends JsonRequest {
  /** What a 304 stands for. */
  notModified(): T;
}

/** Sends a request and parses a JSON answer; throws LabError (server) or NetworkError (no answer). */
export async function requestJson<T>(request: JsonRequest | ConditionalJsonRequest<T>): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    const fetch = request.fetch ?? globalThis.fetch;
    response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: request.signal,
      ...(request.cache === undefined ? {} : { cache: request.cache }),
    });
  } catch (error) {
    if (request.signal?.aborted) throw error;
    throw new NetworkError(`${request.method} ${request.url.pathname} failed: ${describe(error)}`, { cause: error });
  }
  if (response.status === 304 && 'notModified' in request) return request.notModified();
  if (!response.ok) throw await errorFromResponse(response);
  try {
    return (await response.json()) as T;
  } catch (error) {
    if (request.signal?.aborted) throw error;
    // The connection died mid-body: as good as no answer.
    throw new NetworkError(`${request.method} ${request.url.pathname}: bad answer: ${describe(error)}`, { cause: error });
  }
}

export function createSession(http: HttpSettings, name: string): Promise<SessionResponse> {
  return requestJson<SessionResponse>({
    method: 'POST', url: buildUrl(http.baseUrl, '/api/session'), headers: http.headers, fetch: http.fetch, body: { name },
  });
}

/** POST /api/messages?via=<transport>: `via` lets the server count the bytes to the right transport. */
export function publishOverHttp(
  http: HttpSettings,
  via: TransportName,
  token: string | undefined,
  publish: PublishRequest,
): Promise<PublishResult> {
  return requestJson<PublishResult>({
    method: 'POST',
    url: buildUrl(http.baseUrl, '/api/messages', { via }),
    token,
    headers: http.headers,
    fetch: http.fetch,
    body: publish,
  });
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

export function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
