/**
 * The sticky part's requests outside the subscribers' own sockets: a session
 * per client (from the client's loopback address, so that our per-address
 * limits and nginx's sticky hash see the same client), and the paced publisher.
 */
import http from 'node:http';

export interface Target {
  host: string;
  port: number;
}

export interface JsonAnswer {
  status: number;
  text: string;
}

/** One request on an agent (or a fresh socket from `localAddress`), the whole answer read. */
export function requestJson(target: Target, method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: string; localAddress?: string; agent?: http.Agent } = {}): Promise<JsonAnswer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.host, port: target.port, method, path, headers, localAddress: options.localAddress, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** POST /api/session as `name`: our signed token, or the name itself from a reference. */
export async function sessionToken(target: Target, name: string, localAddress?: string): Promise<string> {
  const answer = await requestJson(target, 'POST', '/api/session', { body: { name }, localAddress });
  const token = answer.status === 201 ? (JSON.parse(answer.text) as { token?: unknown }).token : undefined;
  if (typeof token !== 'string') throw new Error(`POST /api/session answered ${answer.status} ${answer.text.slice(0, 200)}`);
  return token;
}
