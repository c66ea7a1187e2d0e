/**
 * One simulated client's HTTP/2 session (`--http 2`): cleartext h2 with prior
 * knowledge (`http://`) or h2 over TLS with ALPN (`https://`, `--http 2-tls`;
 * the server's certificate is self-signed, so it is not verified) on a TCP
 * socket of its own, every byte of whose h2 stream passes a frame
 * counter (src/net/h2-frames.ts), so the client can say what HPACK and the
 * framing cost — node's http2 reads its socket in C++ and shows no frames.
 * One session per simulated client, as a browser tab holds one connection per
 * origin: the receive path and the publishes are streams of it.
 */
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { countFrames, type FrameCounter } from '../../src/net/h2-frames.ts';
import { H2WireMeter } from './h2-meter.ts';
import { HttpFailure, type HttpAnswer, type HttpExchange } from './http.ts';

/** Connection-specific headers HTTP/2 forbids (RFC 9113 § 8.2.2); Host becomes `:authority`. */
const FORBIDDEN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

export interface H2Request {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export class H2Connection {
  /** The TCP socket: what crossed the wire, TLS records included. */
  readonly socket: net.Socket;
  readonly tls: boolean;
  readonly session: http2.ClientHttp2Session;
  /** Client → server and server → client, frame by frame. */
  readonly sent: FrameCounter;
  readonly received: FrameCounter;

  constructor(url: URL) {
    this.socket = net.connect(Number(url.port), url.hostname);
    // As node:http's agent and browsers do: a small frame is not held back waiting for an ACK (Nagle).
    this.socket.setNoDelay(true);
    this.tls = url.protocol === 'https:';
    // Over TLS the counter sits on the plaintext: the TLS record overhead is the TCP socket's bytes less what it counted.
    const h2Socket = this.tls
      ? tls.connect({ socket: this.socket, ALPNProtocols: ['h2'], servername: 'localhost', rejectUnauthorized: false })
      : this.socket;
    if (h2Socket !== this.socket) h2Socket.on('error', () => undefined);
    const counted = countFrames(h2Socket);
    this.sent = counted.sent;
    this.received = counted.received;
    this.session = http2.connect(url.origin, { createConnection: () => counted.stream as unknown as net.Socket });
    // A session error fails its streams (each request rejects); it must not take the worker down.
    this.session.on('error', () => undefined);
  }

  get closed(): boolean {
    return this.session.closed || this.session.destroyed;
  }

  /** Opens a stream; the caller reads its response. */
  stream(method: 'GET' | 'POST', path: string, headers: Record<string, string>): http2.ClientHttp2Stream {
    const outgoing: http2.OutgoingHttpHeaders = { ':method': method, ':path': path };
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      if (!FORBIDDEN.has(lower)) outgoing[lower] = value;
    }
    return this.session.request(outgoing, { endStream: method === 'GET' });
  }

  /** One request and its whole answer; `onBody` hears the bytes of the body as HTTP sees them. */
  exchange(request: H2Request, onBody: (bytes: number) => void): Promise<HttpAnswer> {
    const payload = request.body === undefined ? undefined : Buffer.from(request.body);
    const headers = { ...request.headers };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    return new Promise<HttpAnswer>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.stream(request.method, request.path, headers);
      } catch (error) {
        reject(error);
        return;
      }
      const where = `${request.method} ${request.path.split('?')[0]} (h2)`;
      const timer = setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), request.timeoutMs);
      let status = 0;
      let gzipped = false;
      let ended = false;
      const chunks: Buffer[] = [];
      stream.on('end', () => (ended = true));
      stream.on('response', (answer) => {
        status = Number(answer[':status'] ?? 0);
        gzipped = answer['content-encoding'] === 'gzip';
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      stream.on('close', () => {
        clearTimeout(timer);
        if (status === 0 || !ended) {
          reject(new HttpFailure(`${where} closed without an answer (timed out after ${request.timeoutMs} ms, or reset)`));
          return;
        }
        const body = Buffer.concat(chunks);
        // Bodies are the bytes on the wire: a gzipped answer (`--compression`) counts compressed, then is decoded.
        onBody(body.length);
        let text: string;
        try {
          text = (gzipped ? gunzipSync(body) : body).toString('utf8');
        } catch (error) {
          reject(new HttpFailure(`${where}: a gzipped answer that does not inflate (${(error as Error).message})`));
          return;
        }
        if ((status >= 200 && status < 300) || status === 304) resolve({ status, body: text });
        else reject(new HttpFailure(`${where} → ${status} ${text.slice(0, 200)}`, status, text));
      });
      stream.end(payload);
    });
  }

  close(): void {
    this.session.destroy();
    this.socket.destroy();
  }
}

/**
 * A simulated client's HTTP/2 path (`--http 2`, `2-tls`; bench/sim/client.ts):
 * its one session, opened at its first h2 request, and the meter that counts
 * it. Every request but the session's goes as a stream of it — the session
 * is taken over HTTP/1.1, where the server's express routes live — so the
 * receive path and the publishes share one connection, as a browser's streams
 * to one origin do.
 */
export class H2Path {
  readonly meter = new H2WireMeter();
  private connection: H2Connection | undefined;

  constructor(private readonly url: URL) {}

  open(): H2Connection {
    if (!this.connection || this.connection.closed) {
      // A session that failed is replaced by a new one (counted on from there), as a browser reconnects.
      this.connection = new H2Connection(this.url);
      this.meter.attach(this.connection.socket, this.connection.sent, this.connection.received);
    }
    return this.connection;
  }

  /** Sessions stay on HTTP/1.1: express answers 404 over h2 (docs/api.md "What HTTP/2 serves"). */
  carries(options: HttpExchange): boolean {
    return options.path !== '/api/session';
  }

  exchange(options: HttpExchange): Promise<HttpAnswer> {
    return this.open().exchange(options, (bytes) => this.meter.receivedBody(bytes));
  }

  close(): void {
    this.connection?.close();
  }
}
