import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually } from '../wait.ts';
import { TYPESCRIPT_NODE_FLAGS } from '../../src/typescript-loader.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [...TYPESCRIPT_NODE_FLAGS, 'src/server/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /transport-lab listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    void exited.then(() => reject(new Error(`exited before listening: ${stdout}${stderr}`)));
  });
  // Runs that are not meant to listen never read this promise.
  listening.catch(() => undefined);
  return { child, listening, exited, output: () => stdout + stderr };
}

// Each case runs its own server processes and mostly waits for them to start: the cases run side by side.
describe.concurrent('npm start (src/server/main.ts)', () => {
  it('prints the URL it listens on (PORT/HOST from the environment, --port wins) and stops on SIGTERM', { timeout: 60_000 }, async () => {
    const server = run(['--port', '0', '--bench-limits'], { PORT: '1', HOST: '127.0.0.1' });
    const url = await server.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe('http://127.0.0.1:1');
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok');
    // The live lab's routes are mounted (an unknown /api path would be the JSON 404).
    expect((await fetch(`${url}/api/lab/results`)).status).not.toBe(404);
    server.child.kill('SIGTERM');
    const [code] = await server.exited;
    expect(code).toBe(0);
  });

  it('prints help, and refuses a bad port by name', { timeout: 60_000 }, async () => {
    const help = run(['--help']);
    const bad = run(['--port', 'eighty']);
    expect((await help.exited)[0]).toBe(0);
    expect(help.output()).toContain('--port');
    expect((await bad.exited)[0]).toBe(1);
    expect(bad.output()).toContain('--port');
  });

  it('refuses a bad TRUST_PROXY or --trusted-proxies by name', { timeout: 60_000 }, async () => {
    const badSwitch = run(['--port', '0'], { TRUST_PROXY: 'yes' });
    expect((await badSwitch.exited)[0]).toBe(1);
    expect(badSwitch.output()).toContain('TRUST_PROXY must be');
    const badList = run(['--port', '0', '--trust-proxy', '--trusted-proxies', 'loopback,gateway']);
    expect((await badList.exited)[0]).toBe(1);
    expect(badList.output()).toContain('option trustedProxies: "gateway"');
  });

  it('listens over TLS and h2c with --tls-port and --h2c-port, and prints both URLs', { timeout: 60_000 }, async () => {
    const { connectH2, H2Request } = await import('./h2-client.ts');
    const server = run(['--port', '0', '--tls-port', '0', '--h2c-port', '0']);
    const bad = run(['--tls-cert', 'only-a-cert.pem']);
    await server.listening;
    await eventually(() => server.output().includes('h2c (prior knowledge) on'), 'the h2c line');
    const tlsUrl = /TLS \(ALPN h2, http\/1\.1\) on (https:\/\/\S+)/.exec(server.output())?.[1];
    const h2cUrl = /h2c \(prior knowledge\) on (http:\/\/\S+)/.exec(server.output())?.[1];
    for (const url of [tlsUrl, h2cUrl]) {
      expect(url).toMatch(/^https?:\/\/127\.0\.0\.1:\d+$/);
      const { session } = await connectH2(url!);
      // No token: the hot path answers 401 over h2 (it is served, not the cold-route 404).
      const poll = new H2Request(session, '/api/poll?topics=room:lobby');
      await poll.ended;
      expect(poll.status).toBe(401);
      session.destroy();
    }
    server.child.kill('SIGTERM');
    expect((await server.exited)[0]).toBe(0);
    expect((await bad.exited)[0]).toBe(1);
    expect(bad.output()).toContain('--tls-cert and --tls-key go together');
  });
});
