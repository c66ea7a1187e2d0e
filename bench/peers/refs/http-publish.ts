/**
 * `POST /api/messages` for the library references: read and check the lab's
 * publish body (`{topic, body, id?}`) and hand it on, so that every
 * contender of an HTTP fan-out is published to by the same HTTP publisher.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tokenOf } from './listen.ts';

const MAX_BODY_BYTES = 20 * 1024;

export interface PublishRequest {
  topic: string;
  body: string;
  id?: string;
}

export function writeJson(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** Reads the body; answers 401/400/413 itself, or calls `publish` with the request and the sender. */
export function readPublish(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, publish: (request: PublishRequest, from: string) => void): void {
  const token = tokenOf(req.headers.authorization, query);
  if (!token) return writeJson(res, 401, JSON.stringify({ error: { code: 'unauthorized', message: 'no token' } }));
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return writeJson(res, 413, JSON.stringify({ error: { code: 'payload_too_large', message: 'body too large' } }));
    let request: { topic?: unknown; body?: unknown; id?: unknown };
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof request;
    } catch {
      return writeJson(res, 400, JSON.stringify({ error: { code: 'bad_request', message: 'malformed JSON' } }));
    }
    if (typeof request.topic !== 'string' || typeof request.body !== 'string') {
      return writeJson(res, 400, JSON.stringify({ error: { code: 'bad_request', message: 'topic and body are required strings' } }));
    }
    publish({ topic: request.topic, body: request.body, ...(typeof request.id === 'string' ? { id: request.id } : {}) }, token);
  });
}
