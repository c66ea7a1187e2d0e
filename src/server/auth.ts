import type { IncomingMessage } from 'node:http';
import { LabError } from '../protocol/index.ts';
import type { ClientAddresses } from './client-address.ts';
import { addressKey } from './rate-limit.ts';
import type { Session, SessionRegistry } from './sessions.ts';
import type { TokenClaims, TokenSigner } from './tokens.ts';

export const SESSION_COOKIE = 'lab_session';

/**
 * Who is asking, and from where. A token is taken from `Authorization: Bearer`,
 * then `?token=`, then the cookie. Only a cookie is sent by a browser on its own,
 * so only a cookie-authenticated request has its Origin checked (PROTOCOL.md §
 * Origins); the WebSocket handshake is checked by the ws transport in any case.
 */
export class Authenticator {
  readonly #allowedOrigins: Set<string>;
  /** The last peer address and its key: most requests come from the address before them (no pattern test each). */
  #lastRemote: string | undefined;
  #lastAddress = addressKey(undefined);

  constructor(
    private readonly signer: TokenSigner,
    private readonly sessions: SessionRegistry,
    allowedOrigins: string[],
    private readonly clients: ClientAddresses,
  ) {
    this.#allowedOrigins = new Set(allowedOrigins.map((origin) => origin.replace(/\/+$/, '')));
  }

  authenticate(req: IncomingMessage, params: URLSearchParams): Session {
    const token = this.#token(req, params);
    if (!token) throw new LabError('unauthorized', 'a session token is required: POST /api/session first');
    const claims = this.signer.verify(token);
    if (!claims) throw new LabError('unauthorized', 'the session token is not valid');
    const session = this.sessions.resume(claims);
    // Its publishes count against this address too (issue 8, finding 7).
    session.address = this.#addressKey(this.clients.of(req));
    return session;
  }

  #addressKey(remote: string | undefined): string {
    if (remote !== this.#lastRemote) {
      this.#lastAddress = addressKey(remote);
      this.#lastRemote = remote;
    }
    return this.#lastAddress;
  }

  /** The claims of a valid token the request presents, if any (never throws). */
  presented(req: IncomingMessage, params: URLSearchParams): TokenClaims | undefined {
    try {
      const token = this.#token(req, params);
      return token ? this.signer.verify(token) : undefined;
    } catch {
      return undefined;
    }
  }

  #token(req: IncomingMessage, params: URLSearchParams): string | undefined {
    const token = bearerToken(req.headers.authorization) ?? params.get('token') ?? undefined;
    if (token) return token;
    const cookie = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (cookie && !this.originAllowed(req)) {
      throw new LabError('forbidden', 'a cookie from this Origin is not accepted');
    }
    return cookie;
  }

  /** No Origin (not a browser's cross-site request), our own (same host), or an allowed one. */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (this.#allowedOrigins.has(origin)) return true;
    // HTTP/2 carries the host as `:authority` (a client may leave `host` out).
    const host = req.headers.host ?? (req.headers[':authority'] as string | undefined);
    return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
  }
}

/**
 * The last Authorization header read and its token: a client's every request
 * repeats the same header, so most requests compare one string instead of
 * running the pattern and slicing a new token, and the token handed on is the
 * same string each time (its hash is kept for the verified-token lookup).
 */
let lastAuthorization: string | undefined;
let lastBearer: string | undefined;

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  if (header === lastAuthorization) return lastBearer;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  lastAuthorization = header;
  lastBearer = match?.[1];
  return lastBearer;
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeCookie(part.slice(eq + 1).trim(), name);
  }
  return undefined;
}

/** A cookie value that is not valid percent-encoding is the client's fault (400), not ours (500). */
function decodeCookie(value: string, name: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new LabError('bad_request', `the ${name} cookie is not valid percent-encoding`);
  }
}
