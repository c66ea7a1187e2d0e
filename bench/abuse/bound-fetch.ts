/**
 * A fetch whose sockets leave from a chosen loopback address. On loopback the
 * attacker and the legitimate attendee would otherwise share 127.0.0.1, and a
 * per-address limit could not tell them apart; binding the attendee to
 * 127.0.0.2 makes it another attendee, as on a classroom's Wi-Fi. (Node's
 * built-in fetch takes no local address; node:http does.)
 */
import http from 'node:http';
import { Readable } from 'node:stream';

/** Statuses whose Response may not carry a body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

export function boundFetch(localAddress: string): typeof globalThis.fetch {
  const agent = new http.Agent({ keepAlive: true, localAddress, maxSockets: 8 });
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = init.body === undefined || init.body === null ? undefined : Buffer.from(String(init.body));
    if (body) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const request = http.request({
        agent,
        host: url.hostname,
        port: url.port,
        method: init.method ?? 'GET',
        path: `${url.pathname}${url.search}`,
        headers,
        signal: init.signal ?? undefined,
      });
      request.on('error', (error) => reject(new TypeError(`fetch failed: ${error.message}`, { cause: error })));
      request.on('response', (response) => {
        const answerHeaders = new Headers();
        for (const [key, value] of Object.entries(response.headers)) {
          if (typeof value === 'string') answerHeaders.set(key, value);
          else if (Array.isArray(value)) for (const one of value) answerHeaders.append(key, one);
        }
        const status = response.statusCode ?? 500;
        const stream = NULL_BODY.has(status) ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
        if (!stream) response.resume();
        resolve(new Response(stream, { status, headers: answerHeaders }));
      });
      request.end(body);
    });
  };
}
