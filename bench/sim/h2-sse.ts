/**
 * Server-Sent Events over HTTP/2 (`--http 2`, `2-tls`): the event stream as a
 * stream of the client's h2 session (bench/sim/h2-connection.ts `H2Path`).
 * Everything else — the session, the first poll for a cursor, the publishes,
 * parsing, resuming — is SseSimClient's; short and long polling need no class
 * of their own over h2 (HttpSimClient sends their requests on the h2 path).
 */
import type http2 from 'node:http2';
import { SseSimClient } from './sse.ts';

export class H2SseSimClient extends SseSimClient {
  protected override connect(): Promise<void> {
    const h2 = this.h2;
    if (!h2) return super.connect();
    const headers: Record<string, string> = { ...this.authHeaders(), accept: 'text/event-stream' };
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
    return new Promise<void>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = h2.open().stream('GET', `/api/events?${this.topicQuery()}`, headers);
      } catch (error) {
        reject(error as Error);
        this.reconnect(`sse (h2): ${(error as Error).message}`);
        return;
      }
      this.request = { destroy: () => stream.close() };
      const timer = setTimeout(() => stream.close(), this.options.stepTimeoutMs);
      let opened = false;
      stream.on('error', (error) => {
        clearTimeout(timer);
        if (!opened) reject(error);
      });
      stream.on('close', () => {
        clearTimeout(timer);
        if (!opened) reject(new Error('event stream (h2) closed before it opened'));
        this.reconnect('sse (h2): stream ended');
      });
      stream.on('response', (answer) => {
        clearTimeout(timer);
        this.options.sink.request(false);
        const status = Number(answer[':status'] ?? 0);
        if (status !== 200) {
          reject(new Error(`GET /api/events (h2) → ${status}`));
          stream.resume();
          return;
        }
        opened = true;
        this.read(stream, answer['content-encoding'] as string | undefined);
        resolve();
      });
    });
  }
}
