/**
 * `npm start`: the lab's server. Prints `transport-lab listening on http://HOST:PORT`
 * once it accepts connections (the bench waits for that line); SIGINT/SIGTERM close
 * it gracefully.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { BENCH_LIMITS, DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../config.ts';
import { createLabMount } from '../lab/mount.ts';
import { redisWhere } from '../shared/redis-connection.ts';
import { startLabServer } from './create.ts';

const HELP = `Usage: npm start -- [options]

Serves the transport lab: the API (poll, long poll, SSE, WebSocket), /api/stats,
/metrics, the live lab's routes (/api/lab/*) and the web app from web/dist.

Options:
  --port <n>        port to listen on (env PORT; default ${DEFAULT_SERVER_OPTIONS.port}; 0 picks a free one)
  --host <addr>     address to listen on (env HOST; default ${DEFAULT_SERVER_OPTIONS.host})
  --bench-limits    lift the rate and connection limits for benchmarks
  --redis <url>     run on Redis, for several nodes (env REDIS_URL; default: in memory);
                    needs TRANSPORT_LAB_SECRET, the same on every node
  --redis-prefix <p>  prefix of every Redis key (env REDIS_PREFIX; default ${DEFAULT_SERVER_OPTIONS.redisPrefix})
  --node-name <name>  how this node names itself in /api/stats (env NODE_NAME; default <hostname>:<port>)
  --trust-proxy     behind a reverse proxy: count each client by the address the proxy
                    forwards (X-Forwarded-For, X-Real-IP), on requests from a trusted
                    proxy only (env TRUST_PROXY=1; default off: every header ignored)
  --trusted-proxies <list>  who may forward it: "loopback", addresses, CIDR ranges, comma-
                    separated (env TRUSTED_PROXIES; default loopback)
  --tls-port <n>    also listen over TLS with ALPN h2 and http/1.1 (env TLS_PORT; default off;
                    0 picks a free one): poll, long poll and SSE over HTTP/2
  --tls-cert <file> PEM certificate for --tls-port, given with --tls-key (default: a
                    self-signed one made at start, for localhost, 127.0.0.1 and ::1)
  --tls-key <file>  PEM private key of --tls-cert
  --h2c-port <n>    also listen for cleartext HTTP/2 with prior knowledge (env H2C_PORT;
                    default off; 0 picks a free one), for the bench
  --ws-deflate      offer WebSocket permessage-deflate (default off; each compressing
                    socket keeps its own zlib memory)
  --gzip            gzip poll / long-poll answers and event streams for clients whose
                    Accept-Encoding allows it (default off)
  --log             log start and stop to stderr
  -h, --help        show this help

Environment:
  TRANSPORT_LAB_SECRET   HMAC secret for session tokens (random per start when unset;
                         required with --redis: every node must sign with the same one)
  TRANSPORT_LAB_KEY      the instructor's lab key (random per start when unset)

The live lab's knobs answer only to the instructor: the URL printed at start
carries the lab key. On loopback (the default --host) this machine needs no key.
`;

function parsePort(value: string, flag = '--port'): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${flag} must be an integer 0-65535, got "${value}"`);
  }
  return port;
}

/** An on/off environment variable: unset, empty, 0 or false is off; 1 or true is on. */
function parseSwitch(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new Error(`${name} must be 1, true, 0 or false, got "${value}"`);
}

/** An optional listener's port: absent → -1 (off). */
function optionalPort(value: string | undefined, flag: string): number {
  return value === undefined || value === '' ? -1 : parsePort(value, flag);
}

/** The PEM texts of --tls-cert and --tls-key: both or neither. */
function readTlsIdentity(certFile: string | undefined, keyFile: string | undefined): { tlsCert: string; tlsKey: string } {
  if (certFile === undefined && keyFile === undefined) return { tlsCert: '', tlsKey: '' };
  if (certFile === undefined || keyFile === undefined) throw new Error('--tls-cert and --tls-key go together');
  const read = (file: string, flag: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`${flag}: cannot read ${file} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
  };
  return { tlsCert: read(certFile, '--tls-cert'), tlsKey: read(keyFile, '--tls-key') };
}

/** The instructor's URL (with the lab key, printed once) and, on every interface, the students'. */
function labAddresses(host: string, port: number, key: string): string {
  const wildcard = host === '0.0.0.0' || host === '::';
  const local = wildcard ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const lines = [`the live lab, instructor (keep this URL to yourself): http://${local}:${port}/#/lab?key=${encodeURIComponent(key)}`];
  if (wildcard) {
    const addresses = Object.values(networkInterfaces()).flat()
      .filter((entry) => entry && entry.family === 'IPv4' && !entry.internal).map((entry) => entry!.address);
    for (const address of addresses) lines.push(`the live lab, students: http://${address}:${port}/#/lab`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'bench-limits': { type: 'boolean', default: false },
      redis: { type: 'string' },
      'redis-prefix': { type: 'string' },
      'node-name': { type: 'string' },
      'trust-proxy': { type: 'boolean', default: false },
      'trusted-proxies': { type: 'string' },
      'tls-port': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'h2c-port': { type: 'string' },
      'ws-deflate': { type: 'boolean', default: false },
      gzip: { type: 'boolean', default: false },
      log: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const overrides: Partial<ServerOptions> = {
    ...(values['bench-limits'] ? BENCH_LIMITS : {}),
    host: values.host ?? process.env.HOST ?? DEFAULT_SERVER_OPTIONS.host,
    port: parsePort(values.port ?? process.env.PORT ?? String(DEFAULT_SERVER_OPTIONS.port)),
    log: values.log,
    redisUrl: values.redis ?? process.env.REDIS_URL ?? '',
    redisPrefix: values['redis-prefix'] ?? process.env.REDIS_PREFIX ?? DEFAULT_SERVER_OPTIONS.redisPrefix,
    nodeName: values['node-name'] ?? process.env.NODE_NAME ?? '',
    trustProxy: values['trust-proxy'] || parseSwitch(process.env.TRUST_PROXY, 'TRUST_PROXY'),
    trustedProxies: (values['trusted-proxies'] ?? process.env.TRUSTED_PROXIES ?? DEFAULT_SERVER_OPTIONS.trustedProxies.join(','))
      .split(',').map((entry) => entry.trim()).filter(Boolean),
    tlsPort: optionalPort(values['tls-port'] ?? process.env.TLS_PORT, '--tls-port'),
    h2cPort: optionalPort(values['h2c-port'] ?? process.env.H2C_PORT, '--h2c-port'),
    ...readTlsIdentity(values['tls-cert'], values['tls-key']),
    wsPerMessageDeflate: values['ws-deflate'],
    httpCompression: values.gzip ? 'gzip' : 'none',
  };
  const lab = createLabMount();
  const server = await startLabServer({ ...overrides, mount: lab });
  process.stdout.write(`transport-lab listening on ${server.url}\n`);
  // Worded without "listening on": scripts that wait for that line read the HTTP/1.1 URL.
  if (server.tlsUrl) process.stdout.write(`transport-lab TLS (ALPN h2, http/1.1) on ${server.tlsUrl}\n`);
  if (server.h2cUrl) process.stdout.write(`transport-lab h2c (prior knowledge) on ${server.h2cUrl}\n`);
  if (overrides.redisUrl) process.stdout.write(`node ${server.stats().node ?? ''} on Redis ${redisWhere(overrides.redisUrl)}\n`);
  process.stdout.write(labAddresses(server.host, server.port, lab.labKey));

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    if (values.log) console.error(`transport-lab: ${signal}, closing`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`transport-lab: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
