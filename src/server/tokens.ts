import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isValidName } from '../protocol/index.ts';

/** What a session token names: its holder and the session it belongs to. */
export interface TokenClaims {
  readonly name: string;
  readonly sessionId: string;
}

/**
 * Tokens already verified, so that a poll client's every request does not pay
 * for an HMAC again (~7 µs, half of what a bare node:http request costs). Only
 * tokens we signed get in; the oldest leaves first once it is full.
 */
const VERIFIED_CACHE_SIZE = 50_000;

/**
 * Signs and verifies session tokens: `<base64url(JSON claims)>.<base64url(HMAC-SHA256)>`.
 * The secret comes from options, then TRANSPORT_LAB_SECRET, else a random one per start
 * (tokens then die with the process, which is what a lab wants).
 */
export class TokenSigner {
  readonly #key: Buffer;
  readonly #verified = new Map<string, TokenClaims>();

  constructor(secret: string) {
    this.#key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  static fromOptions(secret: string): TokenSigner {
    return new TokenSigner(secret || process.env.TRANSPORT_LAB_SECRET || '');
  }

  sign(claims: TokenClaims): string {
    const payload = Buffer.from(JSON.stringify({ n: claims.name, s: claims.sessionId })).toString('base64url');
    return `${payload}.${this.#mac(payload)}`;
  }

  /** The claims of a well-signed token, or undefined for anything else. */
  verify(token: string): TokenClaims | undefined {
    const known = this.#verified.get(token);
    if (known) return known;
    const claims = this.#check(token);
    if (claims) {
      if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.delete(this.#verified.keys().next().value as string);
      this.#verified.set(token, claims);
    }
    return claims;
  }

  #check(token: string): TokenClaims | undefined {
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 512) return undefined;
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#mac(payload), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (typeof claims !== 'object' || claims === null) return undefined;
      const { n, s } = claims as { n?: unknown; s?: unknown };
      if (!isValidName(n) || typeof s !== 'string' || s.length === 0) return undefined;
      return { name: n, sessionId: s };
    } catch {
      return undefined;
    }
  }

  #mac(payload: string): string {
    return createHmac('sha256', this.#key).update(payload).digest('base64url');
  }
}
