/**
 * The live lab's and the dashboard's routes under `/api/lab/*`, added to the
 * server through `startLabServer({ mount })`. Everything here is cold: the
 * transports' hot paths never pass through it.
 *
 *   GET  /api/lab/results              runs in results/ (dashboard)
 *   GET  /api/lab/results/:file        one run's JSON, as written
 *   GET  /api/lab/settings             every knob as it is now (compression read-only), and the asker's authority
 *   GET  /api/lab/network              the panes' proxy origins, delay, conditions and HTTP version
 *   POST /api/lab/network              {oneWayDelayMs}: set the delay          (instructor)
 *   POST /api/lab/network/conditions   {profile?, jitterMs?, stallsPerMinute?, cutEveryMs?, idleDropMs?} (instructor)
 *   POST /api/lab/network/http         {version: "1.1"|"2"}: the poll/longpoll/sse panes' HTTP (instructor)
 *   POST /api/lab/network/drop         cut every pane's connections            (instructor)
 *   GET  /api/lab/wire/:transport      the asker's own pane's bytes, masked    (Bearer <pane token>)
 *   GET  /api/lab/background           simulated background clients
 *   POST /api/lab/background           {count}: start or stop them             (instructor)
 *
 * Who is the instructor: authority.ts. Every route here refuses a foreign Origin.
 */
import path from 'node:path';
import express from 'express';
import type { IncomingMessage } from 'node:http';
import type { LabServer } from '../server/create.ts';
import { LabError, TRANSPORT_NAMES, isTransportName } from '../protocol/index.ts';
import { LabAuthority, isLoopbackAddress, makeLabKey } from './authority.ts';
import { BackgroundClients } from './background.ts';
import { sendError } from '../transports/http-io.ts';
import { numberField } from './http.ts';
import { LabNetwork } from './network.ts';
import { mountResultsRoutes } from './results-routes.ts';
import { MAX_BACKGROUND_CLIENTS, MAX_LAB_DELAY_MS } from './types.ts';
import type { CompressionState, LabSettings } from './types.ts';

export interface LabMountOptions {
  /** Where runs are listed from; defaults to `results/` under the working directory. */
  resultsDir?: string;
  /** The instructor's lab key; default TRANSPORT_LAB_KEY, else random per start. */
  labKey?: string;
  /**
   * Whether a loopback caller without the key is the instructor. Default: true
   * exactly when the server listens on a loopback address (authority.ts says why).
   */
  loopbackIsInstructor?: boolean;
}

export type LabMount = ((app: express.Express, server: LabServer) => void) & {
  /** The key that makes a page the instructor's (print it once, in the instructor's URL). */
  readonly labKey: string;
};

type Handler = (req: express.Request, res: express.Response) => Promise<unknown>;

/** The `mount` for startLabServer, with the default results folder. */
export function mountLab(app: express.Express, server: LabServer): void {
  createLabMount()(app, server);
}

/** The address the lab and its proxies dial the server on (a wildcard is not an address to dial). */
function dialHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/** The host name the asker used to reach the server (its Host header), or the server's own. */
export function askedHostname(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  if (host) {
    try {
      const hostname = new URL(`http://${host}`).hostname;
      if (hostname) return hostname.replace(/^\[(.*)\]$/, '$1');
    } catch {
      // A malformed Host: fall back to the server's own address.
    }
  }
  return fallback;
}

export function createLabMount(options: LabMountOptions = {}): LabMount {
  const resultsDir = options.resultsDir ?? path.resolve('results');
  const labKey = options.labKey ?? (process.env.TRANSPORT_LAB_KEY || makeLabKey());
  const mount = (app: express.Express, server: LabServer): void => {
    mountResultsRoutes(app, resultsDir);

    const authority = new LabAuthority({
      key: labKey,
      loopbackIsInstructor: options.loopbackIsInstructor ?? isLoopbackAddress(server.host),
      allowedOrigins: server.options.allowedOrigins,
      clientAddress: server.clientAddress,
    });
    const dial = dialHost(server.host);
    const tlsPort = server.tlsUrl === undefined ? undefined : Number(new URL(server.tlsUrl).port);
    const network = new LabNetwork({ host: dial, port: server.port, tlsPort }, server.host);
    const background = new BackgroundClients(`http://${dial.includes(':') ? `[${dial}]` : dial}:${server.port}`);
    // No lab client or proxy outlives the server.
    server.onClose(async () => {
      await Promise.all([background.close(), network.close()]).catch((error: unknown) => console.error('lab: stopping failed:', error));
    });
    const hostname = (req: IncomingMessage): string => askedHostname(req, dial);

    const parseJson = express.json({ limit: '4kb' });
    // Only JSON is accepted: a browser cannot send it cross-origin without a CORS preflight,
    // which this server never grants, so another site cannot turn the knobs.
    const json: express.RequestHandler = (req, res, next) => {
      if (!req.is('application/json')) {
        sendError(res, new LabError('bad_request', 'send the knob as JSON (Content-Type: application/json)'));
        return;
      }
      parseJson(req, res, next);
    };
    // Every lab route refuses another site's page; the knobs also want the instructor.
    const route = (handler: Handler): express.RequestHandler => (req, res) => {
      Promise.resolve()
        .then(() => authority.checkOrigin(req))
        .then(() => handler(req, res))
        .then((body) => res.json(body), (error: unknown) => sendError(res, error));
    };

    app.get('/api/lab/settings', route(async (req): Promise<LabSettings> => ({
      network: await network.state(hostname(req)),
      background: background.state(),
      compression: compressionOf(server),
      lastDropAt: network.lastDropAt,
      authority: authority.view(req),
    })));
    app.get('/api/lab/network', route((req) => network.state(hostname(req))));
    // The authority is checked before the body is read: a refused asker's body is not parsed.
    app.post('/api/lab/network', instructorFirst(authority), json, route(async (req) => {
      const delay = numberField(req.body, 'oneWayDelayMs', 0, MAX_LAB_DELAY_MS);
      if (delay === undefined) throw new LabError('bad_request', 'oneWayDelayMs is required');
      await network.setDelay(delay);
      return network.state(hostname(req));
    }));
    app.post('/api/lab/network/conditions', instructorFirst(authority), json, route(async (req) => {
      await network.setConditions(req.body);
      return network.state(hostname(req));
    }));
    app.post('/api/lab/network/http', instructorFirst(authority), json, route(async (req) => {
      const body: unknown = req.body;
      if (typeof body !== 'object' || body === null) throw new LabError('bad_request', 'the body must be a JSON object');
      await network.setHttpVersion((body as { version?: unknown }).version);
      return network.state(hostname(req));
    }));
    app.post('/api/lab/network/drop', instructorFirst(authority), json, route(async (req) => {
      await network.dropAll();
      return network.state(hostname(req));
    }));
    app.get('/api/lab/wire/:transport', route(async (req) => {
      const transport = req.params.transport;
      if (!isTransportName(transport)) throw new LabError('bad_request', `transport must be ${TRANSPORT_NAMES.slice(0, -1).join(', ')} or ${TRANSPORT_NAMES.at(-1)}`);
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!token) {
        throw new LabError('unauthorized', 'the wire inspector shows your own pane\'s traffic only: send that pane\'s session token (Authorization: Bearer …)');
      }
      return network.wire(transport, token);
    }));
    app.get('/api/lab/background', route(async () => background.state()));
    app.post('/api/lab/background', instructorFirst(authority), json, route((req) => {
      const count = numberField(req.body, 'count', 0, MAX_BACKGROUND_CLIENTS);
      if (count === undefined || !Number.isInteger(count)) throw new LabError('bad_request', 'count must be an integer');
      return background.setCount(count);
    }));
  };
  return Object.assign(mount, { labKey });
}

/**
 * Compression as the server was started: read-only in the lab. The server's
 * options are fixed at start (the WebSocket hub offers permessage-deflate in
 * every upgrade, or never), and a page cannot opt out per pane: a browser
 * always offers permessage-deflate and always sends Accept-Encoding: gzip.
 */
function compressionOf(server: LabServer): CompressionState {
  return { wsPerMessageDeflate: server.options.wsPerMessageDeflate, gzip: server.options.httpCompression === 'gzip' };
}

/** Refuses a non-instructor before anything else runs (the body is not even read). */
function instructorFirst(authority: LabAuthority): express.RequestHandler {
  return (req, res, next) => {
    try {
      authority.requireInstructor(req);
      next();
    } catch (error) {
      sendError(res, error);
    }
  };
}
