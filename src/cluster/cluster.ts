import { randomBytes } from 'node:crypto';
import { startNginx, type RunningNginx } from './nginx.ts';
import { startNode, type RunningNode } from './nodes.ts';
import { ensureRedis, type ClusterRedis } from './redis.ts';

/**
 * N nodes on one Redis behind nginx (issue 10): what `npm run cluster` starts
 * and what the tests in test/cluster/ start. Everything it started is stopped
 * by close(), also when the start fails half-way.
 */

export const MAX_NODES = 16;

export interface ClusterOptions {
  nodes: number;
  /** nginx's port on 127.0.0.1 (0, the default, picks a free one). */
  port?: number;
  /** The Redis to use when one answers there (default the machine's, 127.0.0.1:6379); else one is started. */
  redisUrl?: string;
  /** The teaching variant: nginx at its defaults (deploy/nginx/nginx-defaults.conf.template). */
  nginxDefaults?: boolean;
  /** Extra arguments for every node's main.ts. */
  nodeArgs?: string[];
  /** Each line a node writes, with its name. */
  onNodeLine?: (node: string, line: string) => void;
}

export interface RunningCluster {
  /** nginx: the one address clients use. */
  readonly url: string;
  readonly nodes: RunningNode[];
  readonly redis: ClusterRedis;
  readonly redisPrefix: string;
  readonly nginx: RunningNginx;
  /** The shared instructor's key of the live lab. */
  readonly labKey: string;
  close(): Promise<void>;
}

/**
 * The secret every node signs tokens with. Given (TRANSPORT_LAB_SECRET): the
 * default key prefix, so a cluster started again finds its history. Generated:
 * a prefix of this run's own, deleted at close, because the nodes store a
 * fingerprint of their secret and a later run with another secret would be
 * refused on the same keys.
 */
function secretAndPrefix(): { secret: string; prefix: string; ephemeral: boolean } {
  const given = process.env.TRANSPORT_LAB_SECRET;
  if (given) return { secret: given, prefix: process.env.REDIS_PREFIX || 'lab:', ephemeral: false };
  return { secret: randomBytes(32).toString('base64url'), prefix: `lab-cluster-${randomBytes(4).toString('hex')}:`, ephemeral: true };
}

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > MAX_NODES) {
    throw new Error(`--nodes must be an integer 1-${MAX_NODES}, got ${String(options.nodes)}`);
  }
  const { secret, prefix, ephemeral } = secretAndPrefix();
  const labKey = process.env.TRANSPORT_LAB_KEY || randomBytes(12).toString('base64url');
  const redis = await ensureRedis(options.redisUrl);
  const nodes: RunningNode[] = [];
  let nginx: RunningNginx | undefined;

  const close = async (): Promise<void> => {
    // nginx first, so no client is sent to a node that is going away.
    await nginx?.close();
    await Promise.all(nodes.map((node) => node.close()));
    if (ephemeral && !redis.owned) await redis.deletePrefix(prefix).catch(() => undefined);
    await redis.close();
  };

  try {
    const started = await Promise.allSettled(Array.from({ length: options.nodes }, (_, i) => startNode({
      name: `node-${i + 1}`,
      redisUrl: redis.url,
      redisPrefix: prefix,
      env: { TRANSPORT_LAB_SECRET: secret, TRANSPORT_LAB_KEY: labKey },
      args: options.nodeArgs,
      onLine: options.onNodeLine && ((line) => options.onNodeLine?.(`node-${i + 1}`, line)),
    })));
    for (const outcome of started) if (outcome.status === 'fulfilled') nodes.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    nginx = await startNginx({
      upstreams: nodes.map((node) => ({ host: node.host, port: node.port })),
      variant: options.nginxDefaults ? 'defaults' : 'tuned',
      port: options.port ?? 0,
    });
  } catch (error) {
    await close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url: nginx.url,
    nodes,
    redis,
    redisPrefix: prefix,
    nginx,
    labKey,
    close: () => (closing ??= close()),
  };
}
