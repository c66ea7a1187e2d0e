import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, waitForLine } from '../../src/cluster/processes.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { eventually } from '../wait.ts';
import { NGINX_MISSING } from './harness.ts';
import { TYPESCRIPT_NODE_FLAGS } from '../../src/typescript-loader.ts';

/**
 * `npm run cluster` as a user runs it (src/cluster/main.ts in its own process):
 * it prints where the cluster listens and each node, the proxy alternates
 * between the nodes, and SIGTERM leaves nothing behind — no node, no nginx,
 * no scratch folder, no key of the run in Redis. A private redis-server.
 */
const MAIN = fileURLToPath(new URL('../../src/cluster/main.ts', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(NGINX_MISSING)(`npm run cluster${NGINX_MISSING ? ` — skipped: ${NGINX_MISSING}` : ''}`, () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await OwnRedis.start();
  });
  afterAll(() => redis?.kill());

  it('prints the proxy and each node, round-robins between them, and SIGTERM stops and removes everything', async () => {
    const env = { ...process.env };
    delete env.TRANSPORT_LAB_SECRET;
    const child = spawn(process.execPath, [...TYPESCRIPT_NODE_FLAGS, MAIN, '--nodes', '2', '--redis', redis.url], {
      env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      // Everything it prints at start, up to its last line.
      const [printed, url] = await waitForLine(
        child, /transport-lab cluster listening on (http:\/\/127\.0\.0\.1:\d+)\n[^]*?the live lab, instructor[^\n]*\n/, 'the cluster',
      );
      const nodes = [...printed.matchAll(/(node-\d): (http:\/\/\S+) \(pid (\d+)\)/g)].map((m) => ({ name: m[1], url: m[2], pid: Number(m[3]) }));
      const nginxPid = Number(/nginx: .*pid (\d+)/.exec(printed)?.[1]);
      const prefixDir = /access log (\S+)\/access\.log/.exec(printed)?.[1] ?? '';
      const keyPrefix = /key prefix (\S+)/.exec(printed)?.[1] ?? '';
      expect(nodes.map((node) => node.name)).toEqual(['node-1', 'node-2']);
      expect(nodes.every((node) => alive(node.pid)) && alive(nginxPid)).toBe(true);
      expect(existsSync(prefixDir)).toBe(true);
      expect(keyPrefix).toMatch(/^lab-cluster-[0-9a-f]+:$/);

      // Consecutive requests through the proxy: one node, then the other (nginx names the node's address).
      const nameOf = new Map(nodes.map((node) => [new URL(node.url).host, node.name]));
      const answered: string[] = [];
      for (let i = 0; i < 4; i += 1) answered.push(nameOf.get((await fetch(`${url}/healthz`)).headers.get('x-lab-upstream') ?? '') ?? '');
      expect(answered[0]).not.toBe(answered[1]);
      expect(answered.slice(2)).toEqual(answered.slice(0, 2));
      expect([...answered].sort()).toEqual(['node-1', 'node-1', 'node-2', 'node-2']);

      child.kill('SIGTERM');
      await exited(child);
      expect(child.exitCode).toBe(0);
      await eventually(() => nodes.every((node) => !alive(node.pid)) && !alive(nginxPid), 'every node and nginx to be gone');
      expect(existsSync(prefixDir)).toBe(false);
      const admin = new Redis(redis.url);
      try {
        expect(await admin.keys(`${keyPrefix}*`)).toEqual([]);
      } finally {
        admin.disconnect();
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited(child);
      }
    }
  }, 60_000);
});
