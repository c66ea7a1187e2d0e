/**
 * `npm start` as the README gives it: SIGTERM to npm must reach the server,
 * which closes and frees its port. (The start script `exec`s the server, so
 * no shell sits between npm and node to swallow the signal and orphan it.)
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REPO } from '../browser/harness.ts';

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  it('stops on SIGTERM and leaves its port free', async () => {
    // Its own process group, so that whatever a failed run leaves behind is ended below.
    const npm = spawn('npm', ['start', '--', '--port', '0'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const exited = once(npm, 'exit');
    try {
      await stopsOnSigterm(npm, exited);
    } finally {
      try {
        if (npm.pid) process.kill(-npm.pid, 'SIGKILL');
      } catch {
        // The group is gone already: nothing was left behind.
      }
    }
  }, 120_000);
});

async function stopsOnSigterm(npm: ChildProcessByStdio<null, Readable, Readable>, exited: Promise<unknown>): Promise<void> {
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    npm.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.once('exit', (code) => reject(new Error(`npm start exited (${code}) before listening:\n${output}`)));
  });
  expect(await canListen(port)).toBe(false);
  npm.kill('SIGTERM');
  await exited;
  // npm waits for its child: when npm is gone, so is the server that held the port.
  expect(await canListen(port)).toBe(true);
}
