/**
 * One HTTP exchange of a simulated client on its own keep-alive agent, with
 * every socket it touches handed to the client's WireMeter and the parts it
 * parsed (request body, response head, response body) recorded.
 */
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { WireMeter } from './meter.ts';
import { responseHeadBytes } from './meter.ts';

export interface HttpExchange {
  agent: http.Agent;
  meter: WireMeter;
  baseUrl: URL;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** JSON request body. */
  body?: string;
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export class HttpFailure extends Error {
  constructor(message: string, readonly status?: number, readonly body?: string) {
    super(message);
    this.name = 'HttpFailure';
  }
}

/** A keep-alive agent of `sockets` connections: one client, one connection per path, like a browser tab. */
export function clientAgent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'fifo' });
}

export function exchange(options: HttpExchange): Promise<HttpAnswer> {
  const payload = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = http.request({
      agent: options.agent,
      host: options.baseUrl.hostname,
      port: options.baseUrl.port,
      method: options.method,
      path: options.path,
      headers,
    });
    const timer = setTimeout(() => {
      request.destroy(new HttpFailure(`${options.method} ${options.path.split('?')[0]} timed out after ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on('socket', (socket) => options.meter.track(socket));
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on('response', (response) => {
      options.meter.receivedHead(
        responseHeadBytes(response.httpVersion, response.statusCode ?? 0, response.statusMessage ?? '', response.rawHeaders),
      );
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      response.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks);
        // Bodies are the bytes on the wire: a gzipped answer counts compressed (`--compression`), then is decoded.
        options.meter.receivedBody(body.length);
        const status = response.statusCode ?? 0;
        const text = (response.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
        // 304: a conditional poll's "nothing new", headers only.
        if ((status >= 200 && status < 300) || status === 304) resolve({ status, body: text });
        else reject(new HttpFailure(`${options.method} ${options.path.split('?')[0]} → ${status} ${text.slice(0, 200)}`, status, text));
      });
    });
    if (payload) options.meter.sentBody(payload.length);
    request.end(payload);
  });
}
