/**
 * The 2009 replay (issue 13 item 3): the poll of "HTML5 Web Sockets: A
 * Quantum Leap in Scalability for the Web" sent byte for byte — the article's
 * request head, its lines in its order, written on a raw socket so that no
 * client library adds, drops or reorders a line. Two things must differ for
 * our server to answer, and both keep every byte count:
 * - the path: `/api/poll?topics=room:w2009` is as long as the article's
 *   `/PollingStock//PollingStock` (27 bytes), so the request line stays 42 B;
 *   no cursor is needed because the replay runs where nothing is published
 *   (`idle`), which is the article's situation: a poll once a second that
 *   finds nothing new;
 * - the session: it rides in the article's own Cookie line, in place of the
 *   first of its cookie values (`lab_session=<token>`, read by the server as
 *   any browser's session cookie), the rest of the article's cookies trimmed
 *   and padded so the line keeps its length.
 * Our server's answer to that poll has the article's 179 header characters
 * (its 7 lines against the article's 6 add one line end: 195 B on the wire,
 * not 193), so request + response hold the 871 characters the article counted.
 */
import { SESSION_COOKIE } from '../../src/server/auth.ts';
import { ARTICLE_REQUEST_HEADERS, ARTICLE_REQUEST_LINE } from './websocket-org-2009.ts';

/** A topic whose poll path is exactly as long as the article's. */
export const REPLAY_TOPIC = 'room:w2009';
export const REPLAY_PATH = `/api/poll?topics=${REPLAY_TOPIC}`;

const ARTICLE_PATH = ARTICLE_REQUEST_LINE.split(' ')[1];
if (REPLAY_PATH.length !== ARTICLE_PATH.length) throw new Error('the replay path must be as long as the article\'s');

function articleCookie(): string {
  const cookie = ARTICLE_REQUEST_HEADERS.find(([name]) => name === 'Cookie');
  if (!cookie) throw new Error('the article\'s request has a Cookie line');
  return cookie[1];
}

/**
 * The article's Cookie value with the session in place of its first cookies:
 * `lab_session=<token>; pad=…; <the article's last cookies>`, exactly as long
 * as the article's value. Throws when the token cannot fit.
 */
export function replayCookie(token: string): string {
  const article = articleCookie();
  const session = `${SESSION_COOKIE}=${token}`;
  const kept = article.split('; ');
  // Keep as many of the article's cookies (from the end) as fit after the session and a padding cookie.
  const room = (): number => article.length - session.length - '; pad='.length - 2 - kept.join('; ').length;
  while (kept.length > 0 && room() < 0) kept.shift();
  const tail = kept.length > 0 ? `; ${kept.join('; ')}` : '';
  const padLength = article.length - session.length - '; pad='.length - tail.length;
  if (padLength < 0) throw new RangeError(`a session token of ${token.length} characters does not fit in the article's ${article.length}-character Cookie line`);
  return `${session}; pad=${'x'.repeat(padLength)}${tail}`;
}

/** The replay's request head lines, in the article's order (no line ends). */
export function replayRequestLines(token: string): string[] {
  return [
    `GET ${REPLAY_PATH} HTTP/1.1`,
    ...ARTICLE_REQUEST_HEADERS.map(([name, value]) => `${name}: ${name === 'Cookie' ? replayCookie(token) : value}`),
  ];
}

/** The replay's request head as it goes on the wire: CRLF after each line, a blank line at the end. */
export function replayRequestHead(token: string): Buffer {
  return Buffer.from(`${replayRequestLines(token).join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Line-end bytes in a head (CRLF after each line and the blank line): what the article did not count. */
export function lineEndBytes(head: string): number {
  return (head.match(/\r\n/g)?.length ?? 0) * 2;
}

/**
 * Request headers HTTP/2 has no place for (RFC 9113 § 8.2.2): connection-specific
 * lines. `Host` is not dropped: it becomes `:authority` (§ 8.3.1).
 */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/**
 * The same request over HTTP/2 (issue 11: "what the same headers cost under
 * HPACK"): the article's header set as an h2 client must send it — its Host
 * as `:authority` (`localhost:8080`, the article's), the replay path as
 * `:path`, the other lines with lower-case names (§ 8.2.1) in the article's
 * order and the session in the same Cookie value as over HTTP/1.1; only
 * `Keep-Alive` and `Connection` go, which HTTP/2 forbids. `:method` and
 * `:scheme` are added by the client (`GET`, and `http` or `https`).
 */
export function replayH2Headers(token: string): Record<string, string> {
  const headers: Record<string, string> = { ':path': REPLAY_PATH };
  for (const [name, value] of ARTICLE_REQUEST_HEADERS) {
    const lower = name.toLowerCase();
    if (CONNECTION_SPECIFIC.has(lower)) continue;
    if (lower === 'host') headers[':authority'] = value;
    else headers[lower] = lower === 'cookie' ? replayCookie(token) : value;
  }
  return headers;
}
