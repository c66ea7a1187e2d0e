import http from 'node:http';
import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import type express from 'express';
import type { MessageBus } from '../bus/types.ts';
import { resolveServerOptions, type ServerOptions } from '../config.ts';
import { inboxTopic, LabError, TRANSPORT_NAMES, type StatsSnapshot, type TransportName } from '../protocol/index.ts';
import { rawErrorResponse, sendError } from '../transports/http-io.ts';
import { TRANSPORTS, type Transport } from '../transports/index.ts';
import { Accounting } from './accounting/accounting.ts';
import { ProcessMonitor } from './accounting/process-stats.ts';
import { Authenticator } from './auth.ts';
import { openBackend } from './backend.ts';
import { createColdApp } from './cold-app.ts';
import { ServerContext } from './context.ts';
import { ClientAddresses } from './client-address.ts';
import { Http2Listeners } from './h2-servers.ts';
import { webFilesOverHttp2 } from './h2-web.ts';
import { createHotRoutes, splitUrl, UPGRADE_ROUTES } from './hot-router.ts';
import { Publisher } from './publisher.ts';
import { SessionRegistry } from './sessions.ts';
import { TokenSigner } from './tokens.ts';
import { markWire, wireSocketOf } from './wire-socket.ts';

export interface LabServer {
  /** `http://host:port`, the port the server really listens on. */
  url: string;
  host: string;
  port: number;
  httpServer: http.Server;
  /** `https://host:port` when `tlsPort` is on: h2 and http/1.1 by ALPN (poll, long poll, SSE; no WebSocket). */
  tlsUrl?: string;
  /** `http://host:port` when `h2cPort` is on: cleartext HTTP/2 with prior knowledge. */
  h2cUrl?: string;
  bus: MessageBus;
  options: ServerOptions;
  /** The address a request comes from: its socket's, or behind a trusted proxy the one forwarded (`trustProxy`). */
  clientAddress(req: http.IncomingMessage): string | undefined;
  stats(): StatsSnapshot;
  /**
   * Runs `hook` when the server starts closing, before it stops anything
   * (mounted parts stop their own clients and proxies here). Hooks run once,
   * in the order given; a hook that fails is logged and the close goes on.
   */
  onClose(hook: () => void | Promise<void>): void;
  /** Ends held requests, streams and sockets (`shutting_down`); resolves when all is closed. */
  close(): Promise<void>;
}

export type StartOptions = Partial<ServerOptions> & {
  /** A bus to serve; by default an in-memory one, closed with the server. */
  bus?: MessageBus;
  /** Adds routes to the express app (cold paths) before its 404 fallback. */
  mount?: (app: express.Express, server: LabServer) => void;
};

const SESSION_SWEEP_MS = 10_000;
/** What an HTTP/2 request can reach (the hot router's paths and the web app's files); the rest answers 404 over h2. */
const HTTP2_PATHS = 'GET /api/poll, GET /api/longpoll, GET /api/events, POST /api/messages and the web app\'s files';
/**
 * How long answers written at shutdown get to leave before every socket is cut.
 * (http.Server's closeIdleConnections misses some keep-alive sockets, e.g. after
 * an aborted request, so waiting for them to close by themselves can take seconds.)
 */
const CLOSE_DEADLINE_MS = 250;
/** How long a socket refused at connect time may take to read its 503. */
const REFUSED_GRACE_MS = 2_000;

/** Answers a socket refused at connect time with a bare 503 and lets it go. */
function refuseSocket(socket: Socket, error: LabError): void {
  socket.on('error', () => socket.destroy());
  // Nothing it sends is read (or parsed into a request).
  socket.pause();
  const { head, body } = rawErrorResponse(error);
  socket.end(head + body);
  // A peer that never reads its refusal does not keep the socket.
  setTimeout(() => socket.destroy(), REFUSED_GRACE_MS).unref();
}

/**
 * Starts the lab's one http.Server: the hot paths on bare node:http, upgrades
 * (`/ws`) by UPGRADE_ROUTES, everything else on express 5.
 */
export async function startLabServer(startOptions: StartOptions = {}): Promise<LabServer> {
  const { bus: givenBus, mount, ...overrides } = startOptions;
  const options = resolveServerOptions(overrides);
  // In memory by default; on Redis with options.redisUrl (several nodes, issue 10).
  const backend = await openBackend(options, givenBus);
  const bus = backend.bus;
  let nodeName = options.nodeName;
  const accounting = new Accounting();
  const signer = TokenSigner.fromOptions(options.secret);
  // A name that passes to a new holder does not pass its inbox's history (issue 8, finding 8).
  const sessions = new SessionRegistry(signer, options, (name) => {
    bus.forget(inboxTopic(name)).catch((error: unknown) => console.error('transport-lab: could not forget an inbox', error));
  }, backend.shared);
  const clientAddresses = new ClientAddresses(options);
  const authenticator = new Authenticator(signer, sessions, options.allowedOrigins, clientAddresses);
  const context = new ServerContext(bus, options, accounting, sessions, authenticator, new Publisher(bus, options, backend.shared), clientAddresses);
  const transports = Object.fromEntries(
    TRANSPORT_NAMES.map((name) => [name, TRANSPORTS[name](context.forTransport(name))]),
  ) as Record<TransportName, Transport>;
  const hotRoutes = createHotRoutes(context, transports);
  const monitor = new ProcessMonitor();
  const sweep = setInterval(() => sessions.sweep(), SESSION_SWEEP_MS);
  sweep.unref();

  const stats = (): StatsSnapshot => ({
    at: Date.now(),
    node: nodeName,
    ...accounting.snapshot(),
    sessions: sessions.sweep(),
    bus: bus.stats(),
    process: monitor.snapshot(),
  });

  const overLimit = new WeakSet<Socket>();
  const httpServer = http.createServer({
    // A request head that dribbles in is cut (408) after this; node checks every second.
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: Math.max(options.headersTimeoutMs, 300_000),
    connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs),
  });
  /** Every accepted TCP socket, whichever port (HTTP/1.1, TLS, h2c): the fault when refused. */
  const admitSocket = (socket: Socket): LabError | undefined => {
    // Per address first (issue 8 #6): one address cannot take every socket, so the
    // rest of maxConnections stays a reserve for everyone else (and their /healthz).
    const refused = context.addresses.admit(socket);
    if (refused) return refused;
    markWire(socket);
    accounting.track(socket);
    if (accounting.openSockets > options.maxConnections) overLimit.add(socket);
    return undefined;
  };
  httpServer.on('connection', (socket: Socket) => {
    const refused = admitSocket(socket);
    if (refused) refuseSocket(socket, refused);
  });

  // Express is built once the server's URL is known (mount() receives the LabServer).
  const cold: { app?: express.Express } = {};
  const webOverHttp2 = webFilesOverHttp2(options);
  /** Every request, HTTP/1.1 or HTTP/2 (node's compatibility API: h2-servers.ts). */
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    // Over TLS or HTTP/2, req.socket is not the TCP socket the limits and meters know.
    const wire = wireSocketOf(req);
    context.addresses.headArrived(wire);
    const { pathname, params } = splitUrl(req.url);
    const route = hotRoutes.get(req.method ?? '')?.get(pathname);
    const owner = route ? route.owner(params) : 'other';
    const meter = accounting.meterOf(wire);
    if (meter) {
      meter.claim(owner);
      // Without a body, the next claim tells this answer's bytes from the next head (socket-meter.ts).
      if (hasBody(req)) res.on('finish', meter.onResponseFinish);
    }
    const counters = owner === 'other' ? undefined : accounting.transports[owner];
    if (counters) counters.requests += 1;
    else accounting.other.requests += 1;
    if (context.shuttingDown) {
      sendError(res, new LabError('shutting_down', 'the server is stopping', 1), counters);
    } else if (!route && req.httpVersionMajor === 2) {
      // Express 5 cannot take node's HTTP/2 compatibility req (it swaps its prototype
      // for http.IncomingMessage's, and reading the body then throws); the app's files
      // are served without it (h2-web.ts), for the live lab's HTTP/2 panes.
      const notFound = (): void => sendError(res, new LabError('not_found', `over HTTP/2 only the hot paths are served (${HTTP2_PATHS}); ${pathname} is on HTTP/1.1`));
      if (webOverHttp2 && !pathname.startsWith('/api/')) webOverHttp2(req, res, notFound);
      else notFound();
    } else if (pathname === '/healthz' && cold.app) {
      // Health answers before the limits: a full server is still up.
      cold.app(req, res);
    } else if (overLimit.has(wire)) {
      sendError(res, new LabError('too_many_connections', 'the server holds its maximum of connections', 1), counters);
    } else if (route) {
      route.handle(req, res, params);
    } else if (cold.app) {
      cold.app(req, res);
    } else {
      sendError(res, new LabError('shutting_down', 'the server is not ready', 1));
    }
  };
  httpServer.on('request', onRequest);
  const http2Listeners = new Http2Listeners(options, {
    connection: (socket) => admitSocket(socket) === undefined,
    request: onRequest,
  });

  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    context.addresses.headArrived(socket);
    socket.on('error', () => socket.destroy());
    const { pathname, params } = splitUrl(req.url);
    const name = UPGRADE_ROUTES.get(pathname);
    const transport = name === undefined ? undefined : transports[name];
    if (name === undefined || !transport?.handleUpgrade) {
      const { head: notFound, body } = rawErrorResponse(new LabError('not_found', `no upgrade at ${pathname}`));
      socket.end(notFound + body);
      return;
    }
    // As for a request: the socket's bytes go to the transport from here, its head as headers.
    const counters = accounting.transports[name];
    counters.handshakeIn(socket, head);
    counters.requests += 1;
    transport.handleUpgrade(req, socket, head, params);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    await http2Listeners.listen();
  } catch (error) {
    if (httpServer.listening) httpServer.close();
    await http2Listeners.close();
    // e.g. EADDRINUSE: leave nothing running behind the failure.
    clearInterval(sweep);
    sessions.close();
    monitor.close();
    await Promise.all(Object.values(transports).map((transport) => transport.close()));
    await backend.close();
    throw error;
  }

  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  nodeName ||= `${hostname()}:${port}`;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  const closeHooks: Array<() => void | Promise<void>> = [];

  const server: LabServer = {
    url: `http://${urlHost}:${port}`,
    host: options.host,
    port,
    httpServer,
    tlsUrl: http2Listeners.listeners.tls?.url,
    h2cUrl: http2Listeners.listeners.h2c?.url,
    bus,
    options,
    clientAddress: (req) => clientAddresses.of(req),
    stats,
    onClose: (hook) => {
      closeHooks.push(hook);
    },
    close: () => (closing ??= shutDown()),
  };

  async function shutDown(): Promise<void> {
    for (const hook of closeHooks) {
      try {
        await hook();
      } catch (error) {
        console.error('transport-lab: an onClose hook failed', error);
      }
    }
    context.shuttingDown = true;
    clearInterval(sweep);
    sessions.close();
    await Promise.all(Object.values(transports).map((transport) => transport.close()));
    // Issue 8 #10: while the drain lasts the server keeps listening, and a new
    // connection gets 503 shutting_down (Retry-After, Connection: close) rather
    // than ECONNREFUSED. Answers just written still have to leave; idle
    // keep-alive sockets go now, the rest by a deadline; then it stops listening.
    await new Promise<void>((resolve) => {
      const deadline = Date.now() + CLOSE_DEADLINE_MS;
      const drain = (): void => {
        if (accounting.openSockets === 0 || Date.now() > deadline) {
          clearInterval(idleSweep);
          resolve();
        } else httpServer.closeIdleConnections();
      };
      const idleSweep = setInterval(drain, 20);
      httpServer.closeIdleConnections();
      http2Listeners.closeIdle();
    });
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeAllConnections();
    await Promise.all([closed, http2Listeners.close()]);
    monitor.close();
    await backend.close();
    if (options.log) console.error('transport-lab: closed');
  }

  cold.app = createColdApp({ context, stats, problem: backend.problem, mount: mount ? (expressApp) => mount(expressApp, server) : undefined });
  if (options.log) console.error(`transport-lab: listening on ${[server.url, server.tlsUrl, server.h2cUrl].filter(Boolean).join(', ')}`);
  return server;
}

/** Whether a request may carry a body (read after its claim; socket-meter.ts). */
function hasBody(req: http.IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return true;
  const headers = req.headers;
  return headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined;
}
