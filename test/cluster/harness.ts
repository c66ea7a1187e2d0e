import { randomBytes } from 'node:crypto';
import { findNginx, startNginx, type RunningNginx } from '../../src/cluster/nginx.ts';
import type { NginxVariant } from '../../src/cluster/nginx-config.ts';
import type { StartOptions } from '../../src/server/create.ts';
import type { LabServer } from '../../src/server/create.ts';
import { startServer } from '../behaviour/harness.ts';
import type { SuiteServer } from '../behaviour/suite.ts';

/**
 * Clusters for the tests: nodes on one Redis behind the real nginx with the
 * config the project ships (deploy/nginx/). The nodes here run in this process
 * (so a case can give them any option); test/cluster/failover.test.ts starts
 * them as processes, to kill one.
 */

/** Why the cluster tests skip, or undefined when nginx is installed (CI installs it: .ci/run). */
export const NGINX_MISSING = findNginx() === undefined
  ? 'nginx is not installed (Debian: apt-get install nginx; .ci/run installs it)'
  : undefined;

/** One secret for every test cluster: each cluster has its own key prefix. */
export const TEST_SECRET = randomBytes(24).toString('base64url');

export interface InProcessCluster extends SuiteServer {
  readonly nodes: LabServer[];
  readonly nginx: RunningNginx;
  /** Which node (index in `nodes`) an `X-Lab-Upstream` value or access-log upstream names. */
  nodeOf(upstream: string | null): number;
  /** The upstream of each request in nginx's access log so far, as node indexes. */
  upstreamsLogged(): Promise<number[]>;
}

/**
 * `count` in-process nodes on `redisUrl` (under a fresh key prefix) behind nginx.
 * `overrides` go to every node, as a case of the behaviour suite would give
 * them to its one server.
 */
export async function startInProcessCluster(
  redisUrl: string, count = 2, overrides: StartOptions = {}, variant: NginxVariant = 'tuned',
): Promise<InProcessCluster> {
  const redisPrefix = `labtest-${randomBytes(5).toString('hex')}:`;
  const nodes: LabServer[] = [];
  try {
    for (let i = 1; i <= count; i += 1) {
      // One after the other: the first claims the secret's fingerprint under the prefix.
      nodes.push(await startServer({ ...overrides, port: 0, redisUrl, redisPrefix, secret: TEST_SECRET, nodeName: `node-${i}` }));
    }
    const nginx = await startNginx({ upstreams: nodes.map((node) => ({ host: '127.0.0.1', port: node.port })), variant });
    const nodeOf = (upstream: string | null): number => nodes.findIndex((node) => upstream === `127.0.0.1:${node.port}`);
    let closing: Promise<void> | undefined;
    return {
      url: nginx.url,
      port: nginx.port,
      options: nodes[0].options,
      nodes,
      nginx,
      nodeOf,
      async upstreamsLogged() {
        const log = await nginx.accessLog();
        return [...log.matchAll(/upstream=(\S+)/g)].map((match) => nodeOf(match[1].split(',').pop()?.trim() ?? ''));
      },
      close() {
        closing ??= (async () => {
          await nginx.close();
          await Promise.all(nodes.map((node) => node.close()));
        })();
        return closing;
      },
    };
  } catch (error) {
    await Promise.all(nodes.map((node) => node.close()));
    throw error;
  }
}

/**
 * A fetch that notes which node answered each request (nginx's `X-Lab-Upstream`),
 * in the order the requests were made, for a client's `fetch` option.
 */
export class UpstreamRecorder {
  readonly upstreams: (string | null)[] = [];

  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    const index = this.upstreams.push(null) - 1;
    const response = await globalThis.fetch(input, init);
    this.upstreams[index] = response.headers.get('x-lab-upstream');
    return response;
  };
}
