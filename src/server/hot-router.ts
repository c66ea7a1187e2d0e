import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TransportName } from '../protocol/index.ts';
import { chooseGzip } from '../transports/compression.ts';
import type { Transport } from '../transports/types.ts';
import type { Owner } from './accounting/counters.ts';
import type { ServerContext } from './context.ts';
import { handlePublish, publishOwner } from './publish-route.ts';

/** A hot path: who its bytes are charged to, and what answers it. */
interface HotRoute {
  owner(params: URLSearchParams): Owner;
  handle(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void;
}

/** The hot paths by method, then pathname. */
export type HotRoutes = ReadonlyMap<string, ReadonlyMap<string, HotRoute>>;

/**
 * The hot paths, dispatched by method and pathname on bare node:http, before
 * express (issue 5: express costs ~7× per request). Two lookups rather than one
 * by a `METHOD pathname` string: that string was made, and hashed, per request.
 */
export function createHotRoutes(context: ServerContext, transports: Record<TransportName, Transport>): HotRoutes {
  const receive = (name: TransportName): HotRoute => ({
    owner: () => name,
    handle: (req, res, params) => {
      chooseGzip(req, res, context.options);
      transports[name].handleRequest?.(req, res, params);
    },
  });
  return new Map([
    ['GET', new Map<string, HotRoute>([
      ['/api/poll', receive('poll')],
      ['/api/longpoll', receive('longpoll')],
      ['/api/events', receive('sse')],
    ])],
    ['POST', new Map<string, HotRoute>([
      ['/api/messages', { owner: publishOwner, handle: (req, res, params) => handlePublish(context, req, res, params) }],
    ])],
  ]);
}

/**
 * The upgrade paths, pathname → the transport whose `handleUpgrade` answers it.
 * Any other upgrade is a bare 404. A transport that upgrades adds one line here.
 */
export const UPGRADE_ROUTES: ReadonlyMap<string, TransportName> = new Map<string, TransportName>([
  ['/ws', 'ws'],
]);

/** Splits `req.url` without building a URL object (the hot path's one parse). */
export function splitUrl(url: string | undefined): { pathname: string; params: URLSearchParams } {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0
    ? { pathname: raw, params: new URLSearchParams() }
    : { pathname: raw.slice(0, q), params: new URLSearchParams(raw.slice(q + 1)) };
}
