/**
 * One setup of the cluster scenario as the rig's server (bench/run/rig.ts):
 * its nodes — src/server/main.ts processes started as the bench starts its
 * server, on the in-memory bus or on Redis under a key prefix of their own —
 * behind nginx with the config the project ships (round-robin, not sticky).
 * The clients see one address, nginx's; each node's own address is kept for
 * its counters and the failover's kill.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { findNginx, startNginx, type RunningNginx } from '../../src/cluster/nginx.ts';
import { ServerFailure, startServer, type ServerProcess } from '../run/server-process.ts';

export interface ClusterTargetSpec {
  nodes: number;
  /** Absent: the in-memory bus (then one node only). */
  redis?: { url: string; prefix: string };
  pin: boolean;
}

export interface ClusterTarget extends ServerProcess {
  /** The nodes, in upstream order; `url` of each is the node itself, not nginx. */
  readonly nodes: ServerProcess[];
}

/** The nginx binary's version line ("nginx/1.22.1"), for the report. */
export function nginxVersion(): string {
  const binary = findNginx();
  if (!binary) return 'nginx (not installed)';
  const probe = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  return /nginx\/\S+/.exec(`${probe.stderr}${probe.stdout}`)?.[0] ?? 'nginx';
}

export async function startClusterTarget(spec: ClusterTargetSpec): Promise<ClusterTarget> {
  if (!spec.redis && spec.nodes !== 1) throw new Error('several nodes need Redis: the in-memory bus is one process');
  // Every node signs and checks tokens with the same secret, or a session made on one is refused on the other.
  const env = { TRANSPORT_LAB_SECRET: randomBytes(32).toString('base64url') };
  const nodes: ServerProcess[] = [];
  let nginx: RunningNginx | undefined;
  let stopping = false;
  let nginxDied = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    await nginx?.close();
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 1; i <= spec.nodes; i += 1) {
      const redisArgs = spec.redis ? ['--redis', spec.redis.url, '--redis-prefix', spec.redis.prefix, '--node-name', `node-${i}`] : [];
      // One after the other: the first claims the secret's fingerprint under the prefix.
      nodes.push(await startServer({ pin: spec.pin, args: redisArgs, env }));
    }
    nginx = await startNginx({ upstreams: nodes.map((node) => ({ host: '127.0.0.1', port: Number(new URL(node.url).port) })) });
  } catch (error) {
    await stop();
    throw error;
  }
  const proxy = nginx;
  void proxy.exited.then(() => {
    if (!stopping) nginxDied = true;
  });
  return {
    url: proxy.url.replace(/\/$/, ''),
    pid: proxy.pid,
    nodes,
    alive: () => !nginxDied && nodes.every((node) => node.alive()),
    death: () => nodes.map((node) => node.death()).find(Boolean) ?? (nginxDied ? new ServerFailure('nginx exited during the run', '') : undefined),
    output: () => nodes.map((node, i) => `[node-${i + 1}]\n${node.output()}`).join('\n'),
    stop,
  };
}
