import http from 'node:http';
import type { Socket } from 'node:net';
import type express from 'express';
import { createMemoryBus } from '../bus/index.ts';
import type { MessageBus } from '../bus/types.ts';
import { resolveServerOptions, type ServerOptions } from '../config.ts';
import { inboxTopic, LabError, TRANSPORT_NAMES, type StatsSnapshot, type TransportName } from '../protocol/index.ts';
import { sendError } from '../transports/http-io.ts';
import { TRANSPORTS, type Transport } from '../transports/index.ts';
import { Accounting } from './accounting/accounting.ts';
import { ProcessMonitor } from './accounting/process-stats.ts';
import { Authenticator } from './auth.ts';
import { createColdApp } from './cold-app.ts';
import { ServerContext } from './context.ts';
import { createHotRoutes, splitUrl } from './hot-router.ts';
import { Publisher } from './publisher.ts';
import { SessionRegistry } from './sessions.ts';
import { TokenSigner } from './tokens.ts';

export interface LabServer {
  /** `http://host:port`, the port the server really listens on. */
  url: string;
  host: string;
  port: number;
  httpServer: http.Server;
  bus: MessageBus;
  options: ServerOptions;
  stats(): StatsSnapshot;
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
/**
 * How long answers written at shutdown get to leave before every socket is cut.
 * (http.Server's closeIdleConnections misses some keep-alive sockets, e.g. after
 * an aborted request, so waiting for them to close by themselves can take seconds.)
 */
const CLOSE_DEADLINE_MS = 250;

/**
 * Starts the lab's one http.Server: the hot paths on bare node:http, `/ws` on
 * `ws` in noServer mode, everything else on express 5.
 */
export async function startLabServer(startOptions: StartOptions = {}): Promise<LabServer> {
  const { bus: givenBus, mount, ...overrides } = startOptions;
  const options = resolveServerOptions(overrides);
  const bus = givenBus ?? createMemoryBus({
    historyPerTopic: options.historyPerTopic, historyMaxBytes: options.historyMaxBytes, maxTopics: options.maxTopics,
  });
  const accounting = new Accounting();
  const signer = TokenSigner.fromOptions(options.secret);
  // A name that passes to a new holder does not pass its inbox's history (issue 8, finding 8).
  const sessions = new SessionRegistry(signer, options, (name) => {
    bus.forget(inboxTopic(name)).catch((error: unknown) => console.error('transport-lab: could not forget an inbox', error));
  });
  const authenticator = new Authenticator(signer, sessions, options.allowedOrigins);
  const context = new ServerContext(bus, options, accounting, sessions, authenticator, new Publisher(bus, options));
  const transports = Object.fromEntries(
    TRANSPORT_NAMES.map((name) => [name, TRANSPORTS[name](context)]),
  ) as Record<TransportName, Transport>;
  const hotRoutes = createHotRoutes(context, transports);
  const monitor = new ProcessMonitor();
  const sweep = setInterval(() => sessions.sweep(), SESSION_SWEEP_MS);
  sweep.unref();

  const stats = (): StatsSnapshot => ({
    at: Date.now(),
    ...accounting.snapshot(),
    sessions: sessions.sweep(),
    bus: bus.stats(),
    process: monitor.snapshot(),
  });

  const overLimit = new WeakSet<Socket>();
  const httpServer = http.createServer();
  httpServer.on('connection', (socket: Socket) => {
    accounting.track(socket);
    if (accounting.openSockets > options.maxConnections) overLimit.add(socket);
  });

  // Express is built once the server's URL is known (mount() receives the LabServer).
  const cold: { app?: express.Express } = {};
  httpServer.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const { pathname, params } = splitUrl(req.url);
    const route = hotRoutes.get(`${req.method} ${pathname}`);
    const owner = route ? route.owner(params) : 'other';
    const meter = accounting.meterOf(req.socket);
    if (meter) {
      meter.claim(owner);
      res.on('finish', meter.onResponseFinish);
    }
    const counters = owner === 'other' ? undefined : accounting.transports[owner];
    if (counters) counters.requests += 1;
    else accounting.other.requests += 1;
    if (overLimit.has(req.socket)) {
      sendError(res, new LabError('too_many_connections', 'the server holds its maximum of connections', 1), counters);
    } else if (context.shuttingDown) {
      sendError(res, new LabError('shutting_down', 'the server is stopping', 1), counters);
    } else if (route) {
      route.handle(req, res, params);
    } else if (cold.app) {
      cold.app(req, res);
    } else {
      sendError(res, new LabError('shutting_down', 'the server is not ready', 1));
    }
  });

  httpServer.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const { pathname, params } = splitUrl(req.url);
    if (pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    transports.ws.handleUpgrade?.(req, socket, head, params);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // e.g. EADDRINUSE: leave nothing running behind the failure.
    clearInterval(sweep);
    monitor.close();
    await Promise.all(Object.values(transports).map((transport) => transport.close()));
    if (!givenBus) await bus.close();
    throw error;
  }

  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;

  const server: LabServer = {
    url: `http://${urlHost}:${port}`,
    host: options.host,
    port,
    httpServer,
    bus,
    options,
    stats,
    close: () => (closing ??= shutDown()),
  };

  async function shutDown(): Promise<void> {
    context.shuttingDown = true;
    clearInterval(sweep);
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    await Promise.all(Object.values(transports).map((transport) => transport.close()));
    // Answers just written still have to leave; idle keep-alive sockets go now, the rest by a deadline.
    const deadline = Date.now() + CLOSE_DEADLINE_MS;
    const idleSweep = setInterval(() => {
      if (Date.now() > deadline) httpServer.closeAllConnections();
      else httpServer.closeIdleConnections();
    }, 20);
    httpServer.closeIdleConnections();
    await closed;
    clearInterval(idleSweep);
    monitor.close();
    if (!givenBus) await bus.close();
    if (options.log) console.error('transport-lab: closed');
  }

  cold.app = createColdApp({ context, stats, mount: mount ? (expressApp) => mount(expressApp, server) : undefined });
  if (options.log) console.error(`transport-lab: listening on ${server.url}`);
  return server;
}
