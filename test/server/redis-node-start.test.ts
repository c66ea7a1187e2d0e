import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testPrefix } from '../bus/redis-keys.ts';
import { closeAll, getJson, startServer } from './helpers.ts';
import { TYPESCRIPT_NODE_FLAGS } from '../../src/typescript-loader.ts';

/** `--redis`: the start-up checks of a node (docs/api.md § Several nodes). */
const prefixes: string[] = [];
function prefix(): string {
  const made = testPrefix();
  prefixes.push(made);
  return made;
}

afterEach(async () => {
  await closeAll();
  await Promise.all(prefixes.splice(0).map((used) => deleteKeys(used)));
});

describe('a node on Redis, at start', () => {
  it('names itself in /api/stats: --node-name, else <hostname>:<port>', async () => {
    const redisPrefix = prefix();
    const named = await startServer({ redisUrl: REDIS_URL, redisPrefix, secret: 's3cret', nodeName: 'node-a' });
    const unnamed = await startServer({ redisUrl: REDIS_URL, redisPrefix, secret: 's3cret' });
    expect((await getJson(named, '/api/stats')).json).toMatchObject({ node: 'node-a' });
    expect((await getJson(unnamed, '/api/stats')).json.node).toMatch(new RegExp(`:${unnamed.port}$`));
    // The in-memory default names itself too.
    const memory = await startServer();
    expect((await getJson(memory, '/api/stats')).json.node).toMatch(new RegExp(`:${memory.port}$`));
  });

  it('refuses to start without a shared secret, or with a secret other than the other nodes\'', async () => {
    const redisPrefix = prefix();
    const saved = process.env.TRANSPORT_LAB_SECRET;
    delete process.env.TRANSPORT_LAB_SECRET;
    try {
      await expect(startServer({ redisUrl: REDIS_URL, redisPrefix })).rejects.toThrow(/TRANSPORT_LAB_SECRET/);
    } finally {
      if (saved !== undefined) process.env.TRANSPORT_LAB_SECRET = saved;
    }
    await startServer({ redisUrl: REDIS_URL, redisPrefix, secret: 'one secret' });
    // Another node with the same secret joins; one with another secret is refused by name.
    await startServer({ redisUrl: REDIS_URL, redisPrefix, secret: 'one secret' });
    const refused = startServer({ redisUrl: REDIS_URL, redisPrefix, secret: 'another secret' });
    await expect(refused).rejects.toThrow(/TRANSPORT_LAB_SECRET is not the one the other nodes on this Redis use/);
    await expect(refused).rejects.not.toThrow(/one secret|another secret/);
  });

  it('`npm start -- --redis` exits 1 with one sentence when Redis does not answer', { timeout: 60_000 }, async () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    // Port 1 on loopback: nothing listens there.
    const child = spawn(process.execPath, [...TYPESCRIPT_NODE_FLAGS, 'src/server/main.ts', '--port', '0', '--redis', 'redis://127.0.0.1:1'], {
      cwd: root, env: { ...process.env, TRANSPORT_LAB_SECRET: 'x', REDIS_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(output).toContain('cannot reach Redis at redis://127.0.0.1:1');
    expect(output).not.toContain('listening on');
  });
});
