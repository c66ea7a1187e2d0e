/**
 * The example poll of "HTML5 Web Sockets: A Quantum Leap in Scalability for
 * the Web" (Peter Lubbers & Frank Greco, Kaazing, websocket.org, 2009/2010):
 * "Example 2 — HTTP request header" and "Example 3 — HTTP response header".
 *
 * The lines below are the article's, character for character. The article
 * prints them wrapped (the User-Agent and the Cookie span several lines);
 * those breaks are typesetting, and are joined here with the single space
 * the wrap replaced. Two independent copies of the article agree on every
 * line (including `Content-Length: 21` and the `HTTP/1.x` status line).
 *
 * The check that this is faithful: the article says "I counted all the
 * characters. The total HTTP request and response header information
 * overhead contains 871 bytes". The request lines below hold 692 characters
 * and the response lines 179, without line ends: 871. (On the wire, with
 * CRLF line ends and the blank line ending each block, that is 716 + 193 =
 * 909 bytes.) The brief that asked for this profile also names a
 * Cache-Control header: the article's request has none, so neither has this.
 */

export const ARTICLE_TITLE = 'HTML5 Web Sockets: A Quantum Leap in Scalability for the Web';
export const ARTICLE_AUTHORS = 'Peter Lubbers & Frank Greco (Kaazing)';
/** The figure the article quotes for request + response headers of one poll. */
export const ARTICLE_HEADER_BYTES = 871;

export const ARTICLE_REQUEST_LINE = 'GET /PollingStock//PollingStock HTTP/1.1';

/** Request headers in the article's order, name and value as printed. */
export const ARTICLE_REQUEST_HEADERS: readonly (readonly [string, string])[] = [
  ['Host', 'localhost:8080'],
  ['User-Agent', 'Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.1.5) Gecko/20091102 Firefox/3.5.5'],
  ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
  ['Accept-Language', 'en-us'],
  ['Accept-Encoding', 'gzip,deflate'],
  ['Accept-Charset', 'ISO-8859-1,utf-8;q=0.7,*;q=0.7'],
  ['Keep-Alive', '300'],
  ['Connection', 'keep-alive'],
  ['Referer', 'http://www.example.com/PollingStock/'],
  [
    'Cookie',
    'showInheritedConstant=false; showInheritedProtectedConstant=false; showInheritedProperty=false; ' +
      'showInheritedProtectedProperty=false; showInheritedMethod=false; showInheritedProtectedMethod=false; ' +
      'showInheritedEvent=false; showInheritedStyle=false; showInheritedEffect=false',
  ],
];

export const ARTICLE_STATUS_LINE = 'HTTP/1.x 200 OK';

export const ARTICLE_RESPONSE_HEADERS: readonly (readonly [string, string])[] = [
  ['X-Powered-By', 'Servlet/2.5'],
  ['Server', 'Sun Java System Application Server 9.1_02'],
  ['Content-Type', 'text/html;charset=UTF-8'],
  ['Content-Length', '21'],
  ['Date', 'Sat, 07 Nov 2009 00:32:46 GMT'],
];

/** The article's lines of one block (start line + `Name: value` lines). */
export function articleLines(startLine: string, headers: readonly (readonly [string, string])[]): string[] {
  return [startLine, ...headers.map(([name, value]) => `${name}: ${value}`)];
}

/** Characters as the article counted them: every line, no line ends. */
export function articleCharacterCount(): number {
  const lines = [
    ...articleLines(ARTICLE_REQUEST_LINE, ARTICLE_REQUEST_HEADERS),
    ...articleLines(ARTICLE_STATUS_LINE, ARTICLE_RESPONSE_HEADERS),
  ];
  return lines.reduce((sum, line) => sum + line.length, 0);
}

/** Bytes of a header block on the wire: CRLF after each line and a blank CRLF line. */
export function wireBytesOfBlock(lines: string[]): number {
  const encoder = new TextEncoder();
  return lines.reduce((sum, line) => sum + encoder.encode(line).length + 2, 0) + 2;
}
