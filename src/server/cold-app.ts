import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import { LabError, assertName, type SessionResponse, type StatsSnapshot } from '../protocol/index.ts';
import { readJsonBody, sendJson } from '../transports/http-io.ts';
import { SESSION_COOKIE } from './auth.ts';
import { coldErrorHandler } from './cold-errors.ts';
import type { ServerContext } from './context.ts';
import { LabMetrics } from './metrics.ts';
import { addressKey } from './rate-limit.ts';

/** The built web app, served at `/` when present and `serveWeb` is on (the default of option `webDist`). */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface ColdAppParts {
  context: ServerContext;
  stats(): StatsSnapshot;
  /** Why this node is degraded (its Redis unreachable), or undefined. */
  problem?(): string | undefined;
  /** Lets the web engineer add lab routes before the 404 fallback. */
  mount?: (app: express.Express) => void;
}

/**
 * The cold routes on express 5: sessions, stats, metrics, health, the web app,
 * and the JSON 404 for unknown `/api/*` paths. The hot paths never reach here.
 */
export function createColdApp({ context, stats, problem, mount }: ColdAppParts): express.Express {
  const app = express();
  // Made on the first scrape: prom-client's default metrics install process-wide
  // observers, which a test run that starts many servers should not pile up.
  let metrics: LabMetrics | undefined;
  app.disable('x-powered-by');
  app.set('etag', false);

  app.post('/api/session', async (req: Request, res: Response) => {
    if (context.shuttingDown) throw new LabError('shutting_down', 'the server is stopping', 1);
    // Login CSRF (issue 8, finding 10): a form or a no-cors fetch from another site
    // can send text/plain but not JSON without a preflight, which is never granted;
    // and a browser's foreign Origin is refused outright.
    if (!req.is('application/json')) {
      throw new LabError('bad_request', 'send the session request as JSON (Content-Type: application/json)');
    }
    if (!context.originAllowed(req)) throw new LabError('forbidden', 'a session request from this Origin is not accepted');
    const input = await readJsonBody(req, context.options.maxFrameBytes);
    const name = assertName(typeof input === 'object' && input !== null ? (input as { name?: unknown }).name : undefined);
    const presented = context.presentedClaims(req, new URLSearchParams(req.url.split('?')[1] ?? ''));
    const { token } = await context.sessions.admit(name, presented, addressKey(context.clientAddresses.of(req)));
    await context.bus.rememberUser(name);
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/' });
    const body: SessionResponse = { name, token };
    sendJson(res, 201, JSON.stringify(body));
  });

  app.get('/api/stats', (_req: Request, res: Response) => {
    sendJson(res, 200, JSON.stringify(stats()));
  });

  app.get('/metrics', async (_req: Request, res: Response) => {
    metrics ??= new LabMetrics();
    const text = await metrics.render(stats());
    res.setHeader('Content-Type', metrics.contentType);
    res.end(text);
  });

  // Degraded is still 200 (docs/api.md § Several nodes): the node serves its held
  // receives and resumes by itself when Redis returns, and a Redis outage hits every
  // node alike, so a proxy or supervisor must not pull or restart it for that.
  app.get('/healthz', (_req: Request, res: Response) => {
    const wrong = problem?.();
    res.type('text/plain').send(wrong === undefined ? 'ok' : `degraded: ${wrong}`);
  });

  mount?.(app);

  app.use('/api', (req: Request, res: Response) => {
    const error = new LabError('not_found', `no such endpoint: ${req.method} ${req.originalUrl.split('?')[0]}`);
    sendJson(res, 404, JSON.stringify(error.toBody()));
  });

  const webDist = context.options.webDist;
  if (context.options.serveWeb && existsSync(webDist)) {
    app.use(express.static(webDist, { index: 'index.html' }));
    // The app routes in the browser: any other GET that wants HTML gets the app.
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || !req.accepts('html')) return next();
      res.sendFile('index.html', { root: webDist });
    });
  }

  app.use(coldErrorHandler(context.options.log));
  return app;
}
