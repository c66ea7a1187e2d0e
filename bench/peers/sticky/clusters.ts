/**
 * The two clusters of the sticky part, on one Redis behind the nginx the
 * project ships (src/cluster): socket.io (`refs/socketio.ts --polling --redis`,
 * on @socket.io/redis-streams-adapter), round-robin or with the template's
 * sticky variant; and ours (`startCluster`, nodes with --trust-proxy), always
 * round-robin. Each run gets a key prefix of its own, deleted at close.
 */
import { randomBytes } from 'node:crypto';
import { startCluster } from '../../../src/cluster/cluster.ts';
import { startNginx, type RunningNginx } from '../../../src/cluster/nginx.ts';
import { ensureRedis } from '../../../src/cluster/redis.ts';
import { ServerProcess, SERVER_SPECS } from '../proc/server-process.ts';

export interface RunningPeerCluster {
  /** nginx's address: every request of the run goes through it. */
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface PeerClusterOptions {
  nodes: number;
  /** The Redis to use when one answers there; else one is started (src/cluster/redis.ts). */
  redisUrl?: string;
}

/** `nodes` socket.io polling servers on Redis streams behind nginx; `sticky` pins each client address to one node. */
export async function startSocketIoCluster(options: PeerClusterOptions & { sticky: boolean }): Promise<RunningPeerCluster> {
  const redis = await ensureRedis(options.redisUrl);
  const prefix = `lab-sticky-${randomBytes(4).toString('hex')}:`;
  const servers: ServerProcess[] = [];
  let nginx: RunningNginx | undefined;
  const close = async (): Promise<void> => {
    await nginx?.close();
    await Promise.all(servers.map((server) => server.stop(2_000)));
    if (!redis.owned) await redis.deletePrefix(prefix).catch(() => undefined);
    await redis.close();
  };
  try {
    const spec = SERVER_SPECS['socket.io-polling'];
    const started = await Promise.allSettled(Array.from({ length: options.nodes }, () =>
      ServerProcess.start({ ...spec, args: [...spec.args, '--redis', redis.url, '--redis-prefix', prefix] }, { pin: false })));
    for (const outcome of started) if (outcome.status === 'fulfilled') servers.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    nginx = await startNginx({ upstreams: servers.map((server) => ({ host: server.host, port: server.port })), sticky: options.sticky });
  } catch (error) {
    await close();
    throw error;
  }
  return { host: '127.0.0.1', port: nginx.port, close };
}

/** Our `nodes` nodes on Redis behind the shipped nginx, round-robin (what `npm run cluster -- --bench-limits` starts). */
export async function startOurCluster(options: PeerClusterOptions): Promise<RunningPeerCluster> {
  const cluster = await startCluster({ nodes: options.nodes, redisUrl: options.redisUrl, nodeArgs: ['--bench-limits'] });
  return { host: '127.0.0.1', port: cluster.nginx.port, close: () => cluster.close() };
}
