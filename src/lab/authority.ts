/**
 * Who may turn the lab's knobs (issue 8, finding 1). The knobs (delay, cut,
 * background clients) are server-wide: in a class, one attendee's click would
 * change every screen. So they answer only to the instructor:
 *
 * - whoever presents the **lab key** (`X-Lab-Key`), a random key made at
 *   start and printed once by `npm start` inside the instructor's URL
 *   (`…/#/lab?key=…`; the page keeps it for the tab and drops it from the
 *   address bar), or fixed with `TRANSPORT_LAB_KEY`;
 * - a request from loopback without a key, **only** while the server listens
 *   on loopback alone (the default `--host 127.0.0.1`): then nobody but this
 *   machine can reach it. With any other `--host`, loopback is not trusted
 *   either — a port forward or a reverse proxy on the instructor's machine
 *   would make every attendee look like loopback — and the key is required.
 *
 * Everyone else reads the knobs and gets `403 forbidden` for turning them.
 * A request whose Origin is neither the server's own (same Host) nor an
 * allowed one is refused outright: another site cannot drive the lab from an
 * attendee's browser.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LabError } from '../protocol/index.ts';
import type { LabAuthorityView } from './types.ts';

export const LAB_KEY_HEADER = 'x-lab-key';

export interface LabAuthorityOptions {
  key: string;
  /** True when the server listens on loopback only: loopback callers need no key. */
  loopbackIsInstructor: boolean;
  /** Origins accepted besides the server's own (the server's `allowedOrigins`). */
  allowedOrigins: readonly string[];
  /**
   * Where a request comes from (default: its socket's address). Behind nginx every
   * socket is loopback: the server's `clientAddress` gives the forwarded one, so a
   * student's request through the proxy is not taken for this machine's.
   */
  clientAddress?: (req: IncomingMessage) => string | undefined;
}

export function makeLabKey(): string {
  return randomBytes(18).toString('base64url');
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const bare = address.startsWith('::ffff:') ? address.slice(7) : address;
  return bare === '::1' || bare === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

export class LabAuthority {
  readonly #keyDigest: Buffer;
  readonly #allowedOrigins: Set<string>;

  constructor(private readonly options: LabAuthorityOptions) {
    if (options.key.length < 8) throw new RangeError('the lab key must have at least 8 characters');
    this.#keyDigest = digest(options.key);
    this.#allowedOrigins = new Set(options.allowedOrigins.map((origin) => origin.replace(/\/+$/, '')));
  }

  /** Refuses a browser request sent by another site's page. */
  checkOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin === undefined || this.#allowedOrigins.has(origin)) return;
    const host = req.headers.host;
    if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) return;
    throw new LabError('forbidden', `the lab does not accept requests from the page at ${origin.slice(0, 100)}`);
  }

  /** What this asker may do, and why (the page shows it next to the knobs). */
  view(req: IncomingMessage): LabAuthorityView {
    const key = req.headers[LAB_KEY_HEADER];
    const presented = typeof key === 'string' && key !== '';
    if (presented && this.#keyMatches(key)) return { instructor: true, reason: 'You hold the lab key: the knobs are yours.' };
    // A stale key (from an earlier start) does not lock out the one person a loopback-only server trusts anyway.
    if (this.options.loopbackIsInstructor && isLoopbackAddress(this.options.clientAddress ? this.options.clientAddress(req) : req.socket.remoteAddress)) {
      return { instructor: true, reason: 'The server listens on this machine only: the knobs are yours.' };
    }
    if (presented) {
      return {
        instructor: false,
        keyRejected: true,
        reason: 'The lab key this page holds is not this server\'s (was it restarted?): open the instructor\'s URL that npm start printed this time.',
      };
    }
    return {
      instructor: false,
      reason: 'The knobs change the lab for everyone, so only the instructor turns them (with the lab key that npm start printed). You see them live.',
    };
  }

  /** Throws `forbidden` unless the asker is the instructor. */
  requireInstructor(req: IncomingMessage): void {
    this.checkOrigin(req);
    const view = this.view(req);
    if (!view.instructor) throw new LabError('forbidden', view.reason);
  }

  #keyMatches(key: string): boolean {
    return timingSafeEqual(digest(key), this.#keyDigest);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
