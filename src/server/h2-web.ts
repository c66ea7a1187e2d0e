import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { ServerOptions } from '../config.ts';

/**
 * The built web app's files over HTTP/2 (GET and HEAD), so that a live-lab
 * pane can load its page from the TLS port and speak HTTP/2 to it (issue 11:
 * the lab's HTTP version knob). A browser speaks HTTP/2 only over TLS and
 * only by ALPN, so the page and its requests share one origin and one
 * protocol: the page must come over h2 too.
 *
 * `express.static` is a plain (req, res, next) middleware: used without an
 * express app it never swaps the request's prototype, which is what keeps
 * express itself off HTTP/2 (create.ts). Anything that is not a file of the
 * app goes to `next` (the JSON 404 of create.ts).
 *
 * Returns undefined when the server serves no web app.
 */
export function webFilesOverHttp2(options: ServerOptions): ((req: IncomingMessage, res: ServerResponse, next: () => void) => void) | undefined {
  if (!options.serveWeb || !existsSync(options.webDist)) return undefined;
  const files = express.static(options.webDist, { index: 'index.html', fallthrough: true });
  return (req, res, next) => {
    files(req as express.Request, res as express.Response, () => next());
  };
}
