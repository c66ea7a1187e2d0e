import http from 'node:http';

/**
 * HTTP requests from a chosen loopback address (127.0.0.2, 127.0.0.3, …: all of
 * 127/8 is this machine), so that one test can be two client addresses.
 */
export interface AddressedAnswer {
  status: number;
  json: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

export function requestFrom(
  localAddress: string,
  server: { host: string; port: number },
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<AddressedAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: server.host,
        port: server.port,
        method,
        path,
        localAddress,
        agent: false,
        headers: payload === undefined ? headers : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** POST /api/session from `localAddress`; the token on 201. */
export async function sessionFrom(localAddress: string, server: { host: string; port: number }, name: string, headers: Record<string, string> = {}): Promise<AddressedAnswer & { token?: string }> {
  const answer = await requestFrom(localAddress, server, 'POST', '/api/session', headers, { name });
  return { ...answer, token: typeof answer.json.token === 'string' ? answer.json.token : undefined };
}
