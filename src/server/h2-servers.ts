import type { IncomingMessage, ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ServerOptions } from '../config.ts';
import { selfSignedIdentity } from './tls-cert.ts';
import { markTlsWire, wireSocketOf } from './wire-socket.ts';

/** What create.ts does with every accepted TCP socket and every request, whatever the protocol. */
export interface ConnectionHandlers {
  /** A TCP socket was accepted (before TLS): admit, meter, mark it. Returns false when refused. */
  connection(socket: Socket): boolean;
  request(req: IncomingMessage, res: ServerResponse): void;
}

export interface Http2Listener {
  /** `https://host:port` (h2 and http/1.1 by ALPN) or `http://host:port` (h2c, prior knowledge). */
  url: string;
  port: number;
  server: http2.Http2SecureServer | http2.Http2Server;
}

/**
 * The HTTP/2 listeners (issue 11): TLS with ALPN h2 + http/1.1 on `tlsPort`,
 * cleartext h2 with prior knowledge on `h2cPort` (the bench's, no TLS cost).
 * Both hand every request to the same handler as the HTTP/1.1 server: node's
 * compatibility API gives an HTTP/2 request a req/res shaped like node:http's
 * (writeHead, write, end, writableLength, 'close', 'finish'), which is all the
 * poll, long-poll and SSE transports use. WebSockets stay on the HTTP/1.1 port.
 */
export class Http2Listeners {
  readonly listeners: { tls?: Http2Listener; h2c?: Http2Listener } = {};
  readonly #sessions = new Set<http2.ServerHttp2Session>();
  readonly #sockets = new Set<Socket>();
  /** Sockets whose first request has not arrived, and the timer that cuts them (see #start). */
  readonly #awaitingRequest = new Map<Socket, NodeJS.Timeout>();

  constructor(
    private readonly options: ServerOptions,
    private readonly handlers: ConnectionHandlers,
  ) {}

  async listen(): Promise<void> {
    const { options } = this;
    if (options.tlsPort >= 0) {
      const identity = options.tlsCert ? { cert: options.tlsCert, key: options.tlsKey } : selfSignedIdentity();
      const server = http2.createSecureServer({ ...identity, allowHTTP1: true, settings: this.#settings() });
      // The TLSSocket learns which TCP socket it wraps (accounting keys on that one).
      server.on('secureConnection', (socket: TLSSocket) => markTlsWire(socket));
      this.listeners.tls = await this.#start(server, options.tlsPort, 'https');
    }
    if (options.h2cPort >= 0) {
      this.listeners.h2c = await this.#start(http2.createServer({ settings: this.#settings() }), options.h2cPort, 'http');
    }
  }

  /** Node's default is 2^32 − 1 streams per session: one client could hold without bound. */
  #settings(): http2.Settings {
    return { maxConcurrentStreams: this.options.http2MaxConcurrentStreams };
  }

  /** Asks every session to finish (GOAWAY: streams in flight end, no new ones). */
  closeIdle(): void {
    for (const session of this.#sessions) if (!session.closed) session.close();
  }

  /** Stops listening and cuts whatever is still open. */
  async close(): Promise<void> {
    const servers = Object.values(this.listeners).map(({ server }) => server);
    const closed = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    for (const session of this.#sessions) session.destroy();
    // HTTP/1.1 over TLS has no session: its sockets are cut here.
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #requestArrived(socket: Socket): void {
    const deadline = this.#awaitingRequest.get(socket);
    if (deadline === undefined) return;
    clearTimeout(deadline);
    this.#awaitingRequest.delete(socket);
  }

  async #start(server: http2.Http2SecureServer | http2.Http2Server, port: number, scheme: 'http' | 'https'): Promise<Http2Listener> {
    server.on('connection', (socket: Socket) => {
      // A refused socket is cut: it speaks TLS or h2, so a bare HTTP/1.1 503 would not read.
      if (!this.handlers.connection(socket)) {
        socket.destroy();
        return;
      }
      this.#sockets.add(socket);
      // node's headersTimeout is HTTP/1.1's: over TLS and h2 a socket that never
      // sends a request (no handshake, no preface) would stay. It is cut after
      // headersTimeoutMs, as a dribbled HTTP/1.1 head is.
      const deadline = setTimeout(() => socket.destroy(), this.options.headersTimeoutMs);
      deadline.unref();
      this.#awaitingRequest.set(socket, deadline);
      socket.once('close', () => {
        this.#sockets.delete(socket);
        this.#requestArrived(socket);
      });
    });
    server.on('session', (session: http2.ServerHttp2Session) => {
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
      // A session's protocol errors end that session only.
      session.on('error', () => session.destroy());
    });
    // The compatibility API's req/res: used as node:http's (see the class comment).
    const request = (req: IncomingMessage, res: ServerResponse): void => {
      if (this.#awaitingRequest.size > 0) this.#requestArrived(wireSocketOf(req));
      this.handlers.request(req, res);
    };
    server.on('request', request as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return { url: `${scheme}://${host}:${bound}`, port: bound, server };
  }
}
