/**
 * The 2009 replay's figures (`--headers websocket.org-2009`, short polling on
 * `idle`): the request of "HTML5 Web Sockets: A Quantum Leap in Scalability
 * for the Web" sent as the article sent it, over HTTP/1.1 byte for byte and
 * over HTTP/2 as the same header set under HPACK (issue 11). Only on a row
 * whose clients polled with that request.
 */
import type { Projection } from './schema.ts';

export interface Replay2009Figures {
  /**
   * How a poll's header bytes are counted. `article`: HTTP/1.1 request and
   * response heads without their line ends, as the article counted its 871;
   * `hpack`: the h2 HEADERS payloads after HPACK, both directions (frame
   * headers apart, in `wireBytesPerRequest`).
   */
  basis: 'article' | 'hpack';
  /** Request + response header bytes of each session's first poll (HPACK's tables empty); HTTP/1.1: the same as `steady`. */
  firstBytesPerRequest: number;
  /** Request + response header bytes of every later poll, the mean: the steady state. */
  steadyBytesPerRequest: number;
  /** Everything that is not body per poll, on the wire (h2: frame headers, control frames and TLS records included). */
  wireBytesPerRequest: number;
  /** `steadyBytesPerRequest` once a second per client, for 1,000 / 10,000 / 100,000 clients: the article's table. */
  projection: Projection;
}
