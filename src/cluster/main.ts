/**
 * `npm run cluster -- --nodes N`: N nodes on one Redis behind nginx, round-robin
 * and not sticky (issue 10). Prints `transport-lab cluster listening on URL` and
 * each node's URL; SIGINT/SIGTERM stop nginx, the nodes and an own Redis, and
 * remove their scratch folders.
 */
import { parseArgs } from 'node:util';
import { MAX_NODES, startCluster, type RunningCluster } from './cluster.ts';
import { DEFAULT_REDIS_URL } from './redis.ts';

const HELP = `Usage: npm run cluster -- [options]

Starts N transport-lab nodes on one Redis and nginx in front of them
(deploy/nginx/transport-lab.conf.template): round-robin, no sticky sessions.

Options:
  --nodes <n>        how many nodes (1-${MAX_NODES}; default 2)
  --port <n>         nginx's port on 127.0.0.1 (default 0: a free one)
  --redis <url>      the Redis to use when one answers there (env REDIS_URL; default
                     ${DEFAULT_REDIS_URL}); when none answers, a redis-server of its
                     own is started on a free port and stopped with the cluster
  --nginx-defaults   the teaching variant: nginx at its defaults (buffering on, 60 s read
                     timeout; deploy/nginx/nginx-defaults.conf.template)
  --bench-limits     start every node with --bench-limits
  --log              print what the nodes write, each line with its node's name
  -h, --help         show this help

Environment:
  TRANSPORT_LAB_SECRET  the nodes' shared token secret (generated per run when unset;
                        then the run's Redis keys are deleted when it stops)
  TRANSPORT_LAB_KEY     the instructor's lab key, shared by every node (generated when unset)
  NGINX                 the nginx binary (default: PATH, then /usr/sbin/nginx)
`;

function parseInteger(value: string, option: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new Error(`${option} must be an integer ${min}-${max}, got "${value}"`);
  }
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '2' },
      port: { type: 'string', default: '0' },
      redis: { type: 'string' },
      'nginx-defaults': { type: 'boolean', default: false },
      'bench-limits': { type: 'boolean', default: false },
      log: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const nodes = parseInteger(values.nodes, '--nodes', 1, MAX_NODES);
  const port = parseInteger(values.port, '--port', 0, 65535);

  // Set once the start completes; the signal handlers, installed before, read it.
  const running: { cluster?: RunningCluster } = {};
  let stopping = false;
  const stop = (signal: string, code = 0): void => {
    if (stopping) return;
    stopping = true;
    const { cluster } = running;
    process.stderr.write(`transport-lab cluster: ${signal}, stopping nginx, the nodes${cluster?.redis.owned ? ' and Redis' : ''}\n`);
    const closed = cluster ? cluster.close() : Promise.resolve();
    closed.then(
      () => process.exit(code),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  // Installed before the start, so a signal during it still cleans up what started.
  let signalled: string | undefined;
  const onSignal = (signal: string): void => {
    if (running.cluster) stop(signal);
    else signalled = signal;
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const cluster = await startCluster({
    nodes,
    port,
    redisUrl: values.redis ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
    nginxDefaults: values['nginx-defaults'],
    nodeArgs: values['bench-limits'] ? ['--bench-limits'] : [],
    onNodeLine: values.log ? (node, line) => process.stderr.write(`[${node}] ${line}\n`) : undefined,
  });
  running.cluster = cluster;
  if (signalled) return stop(signalled);

  const out = process.stdout;
  out.write(`transport-lab cluster listening on ${cluster.url}\n`);
  for (const node of cluster.nodes) out.write(`  ${node.name}: ${node.url} (pid ${node.pid})\n`);
  out.write(`  redis: ${cluster.redis.url}${cluster.redis.owned ? ' (started for this cluster)' : ''}, key prefix ${cluster.redisPrefix}\n`);
  out.write(`  nginx: ${values['nginx-defaults'] ? 'at its defaults (teaching variant)' : 'deploy/nginx/transport-lab.conf.template'}, pid ${cluster.nginx.pid}, access log ${cluster.nginx.prefix}/access.log\n`);
  out.write(`the live lab, instructor (keep this URL to yourself): ${cluster.url}/#/lab?key=${encodeURIComponent(cluster.labKey)}\n`);

  // A node that dies is the lesson (its clients move to the others); nginx dying ends the cluster.
  for (const node of cluster.nodes) {
    void node.exited.then(() => {
      if (!stopping) process.stderr.write(`transport-lab cluster: ${node.name} exited; nginx sends its clients to the others\n`);
    });
  }
  void cluster.nginx.exited.then(() => {
    if (!stopping) {
      process.stderr.write('transport-lab cluster: nginx exited; stopping\n');
      stop('nginx exited', 1);
    }
  });
}

main().catch((error: unknown) => {
  console.error(`transport-lab cluster: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
