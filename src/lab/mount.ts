/**
 * The live lab's and the dashboard's routes under `/api/lab/*`, added to the
 * server through `startLabServer({ mount })`. Everything here is cold: the
 * transports' hot paths never pass through it.
 *
 *   GET  /api/lab/results              runs in results/ (dashboard)
 *   GET  /api/lab/results/:file        one run's JSON, as written
 *   GET  /api/lab/network              the panes' proxy origins and delay
 *   POST /api/lab/network              {oneWayDelayMs}: set the delay
 *   POST /api/lab/network/drop         cut every pane's connections
 *   GET  /api/lab/wire/:transport      the wire inspector's bytes
 *   GET  /api/lab/background           simulated background clients
 *   POST /api/lab/background           {count}: start or stop them
 */
import path from 'node:path';
import express from 'express';
import type { LabServer } from '../server/create.ts';
import { LabError, isTransportName } from '../protocol/index.ts';
import { BackgroundClients } from './background.ts';
import { numberField, sendLabError } from './http.ts';
import { LabNetwork } from './network.ts';
import { mountResultsRoutes } from './results-routes.ts';
import { MAX_BACKGROUND_CLIENTS, MAX_LAB_DELAY_MS } from './types.ts';

export interface LabMountOptions {
  /** Where runs are listed from; defaults to `results/` under the working directory. */
  resultsDir?: string;
}

type Handler = (req: express.Request, res: express.Response) => Promise<unknown>;

/** The `mount` for startLabServer, with the default results folder. */
export function mountLab(app: express.Express, server: LabServer): void {
  createLabMount()(app, server);
}

export function createLabMount(options: LabMountOptions = {}): (app: express.Express, server: LabServer) => void {
  const resultsDir = options.resultsDir ?? path.resolve('results');
  return (app, server) => {
    mountResultsRoutes(app, resultsDir);

    const host = server.host === '0.0.0.0' || server.host === '::' ? '127.0.0.1' : server.host;
    const network = new LabNetwork({ host, port: server.port });
    const background = new BackgroundClients(server.url);
    onClose(server, async () => {
      await Promise.all([background.close(), network.close()]);
    });

    const parseJson = express.json({ limit: '4kb' });
    // Only JSON is accepted: a browser cannot send it cross-origin without a CORS preflight,
    // which this server never grants, so another site cannot turn the knobs.
    const json: express.RequestHandler = (req, res, next) => {
      if (!req.is('application/json')) {
        sendLabError(res, new LabError('bad_request', 'send the knob as JSON (Content-Type: application/json)'));
        return;
      }
      parseJson(req, res, next);
    };
    const route = (handler: Handler): express.RequestHandler => (req, res) => {
      handler(req, res).then((body) => res.json(body), (error: unknown) => sendLabError(res, error));
    };

    app.get('/api/lab/network', route(() => network.state()));
    app.post('/api/lab/network', json, route((req) => {
      const delay = numberField(req.body, 'oneWayDelayMs', 0, MAX_LAB_DELAY_MS);
      if (delay === undefined) throw new LabError('bad_request', 'oneWayDelayMs is required');
      return network.setDelay(delay);
    }));
    app.post('/api/lab/network/drop', json, route(async () => {
      await network.dropAll();
      return network.state();
    }));
    app.get('/api/lab/wire/:transport', route(async (req) => {
      const transport = req.params.transport;
      if (!isTransportName(transport)) throw new LabError('bad_request', 'transport must be poll, longpoll, sse or ws');
      return network.wire(transport);
    }));
    app.get('/api/lab/background', route(async () => background.state()));
    app.post('/api/lab/background', json, route((req) => {
      const count = numberField(req.body, 'count', 0, MAX_BACKGROUND_CLIENTS);
      if (count === undefined || !Number.isInteger(count)) throw new LabError('bad_request', 'count must be an integer');
      return background.setCount(count);
    }));
  };
}

/** Runs `stop` before the server closes, so no lab client or proxy outlives it. */
function onClose(server: LabServer, stop: () => Promise<void>): void {
  const close = server.close.bind(server);
  server.close = async () => {
    await stop().catch((error: unknown) => console.error('lab: stopping failed:', error));
    await close();
  };
}
