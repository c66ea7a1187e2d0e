/**
 * What every reference server shares: `--port`/`--host` arguments, the line
 * that tells the bench where it listens, and a clean stop on SIGTERM/SIGINT.
 * Each reference runs as its own process so that its RSS is its own.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface ListenArgs {
  host: string;
  port: number;
}

export function parseListenArgs(argv: string[]): ListenArgs {
  const args: ListenArgs = { host: '127.0.0.1', port: 0 };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--port') args.port = Number(argv[i + 1]);
    if (argv[i] === '--host') args.host = String(argv[i + 1]);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
    throw new Error(`option port must be an integer 0-65535, got ${String(args.port)}`);
  }
  return args;
}

/** Listens, prints `peer <name> listening on http://HOST:PORT`, and stops on a signal. */
export function listenAndAnnounce(name: string, server: Server, argv: string[], onStop?: () => void): void {
  const { host, port } = parseListenArgs(argv);
  server.listen({ host, port, backlog: 4096 }, () => {
    const address = server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    process.stdout.write(`peer ${name} listening on http://${host}:${actualPort}\n`);
  });
  const stop = (): void => {
    onStop?.();
    server.closeAllConnections();
    server.close(() => process.exit(0));
    // Held requests and upgraded sockets may keep close() waiting; do not hang.
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** The token of a request: `Authorization: Bearer …` or `?token=` (PROTOCOL.md § Sessions). */
export function tokenOf(authorization: string | undefined, query: URLSearchParams): string | null {
  if (authorization && authorization.startsWith('Bearer ')) return authorization.slice(7);
  return query.get('token');
}

/** The query part of a request target, parsed without building a full URL. */
export function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const mark = target.indexOf('?');
  if (mark === -1) return { path: target, query: new URLSearchParams() };
  return { path: target.slice(0, mark), query: new URLSearchParams(target.slice(mark + 1)) };
}

/**
 * `POST /api/session`: the references sign nothing, so the token is the name.
 * Enough for the load to run unchanged against them and against our server.
 */
export function answerSession(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let name: unknown;
    try {
      name = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name?: unknown }).name;
    } catch {
      name = undefined;
    }
    const ok = typeof name === 'string' && name.length > 0;
    const json = ok ? JSON.stringify({ name, token: name }) : JSON.stringify({ error: { code: 'bad_request', message: 'name is required' } });
    res.writeHead(ok ? 201 : 400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  });
}
