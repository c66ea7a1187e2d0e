import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/** Issue 8, finding 10: at the descriptor limit, static files answer 503 with a code and Retry-After, not 500. */

const HOG = fileURLToPath(new URL('./fixtures/descriptor-hog.ts', import.meta.url));
const webDist = mkdtempSync(join(tmpdir(), 'lab-web-'));
writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>lab</title>');
writeFileSync(join(webDist, 'app.js'), 'console.log("lab");');
afterAll(() => rmSync(webDist, { recursive: true, force: true }));

/** Lines of the child's stdout, awaited one by one. */
function lines(child: ChildProcessWithoutNullStreams): () => Promise<string> {
  const queue: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else queue.push(line);
  });
  return () => (queue.length > 0 ? Promise.resolve(queue.shift() as string) : new Promise((resolve) => waiters.push(resolve)));
}

/** One keep-alive socket, opened before the descriptors run out; GETs on it, one at a time. */
class KeepAlive {
  #buffer = '';
  #wake: (() => void) | undefined;
  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#wake?.();
    });
  }

  static async open(url: URL): Promise<KeepAlive> {
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new KeepAlive(socket);
  }

  async get(path: string, accept = '*/*'): Promise<{ status: number; head: string; body: string }> {
    this.#buffer = '';
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: lab\r\nAccept: ${accept}\r\nConnection: keep-alive\r\n\r\n`);
    for (;;) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.#buffer.slice(0, end);
        const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (this.#buffer.length >= end + 4 + length) {
          return { status: Number(head.split(' ')[1]), head, body: this.#buffer.slice(end + 4, end + 4 + length) };
        }
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('static files at the descriptor limit', () => {
  it('answers 503 unavailable with Retry-After while no descriptor is free, then serves again', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', HOG, webDist], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const next = lines(child);
    try {
      const url = new URL((await next()).replace(/^url /, ''));
      const socket = await KeepAlive.open(url);
      expect((await socket.get('/app.js')).status).toBe(200);

      child.stdin.write('fill\n');
      expect(await next()).toMatch(/^full \d+ (EMFILE|ENFILE)$/);
      for (const [path, accept] of [['/app.js', '*/*'], ['/some/page', 'text/html']] as const) {
        const answer = await socket.get(path, accept);
        expect(answer.status).toBe(503);
        expect(answer.head).toMatch(/retry-after: \d+/i);
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'unavailable' } });
      }

      child.stdin.write('free\n');
      expect(await next()).toBe('freed');
      const again = await socket.get('/app.js');
      expect(again.status).toBe(200);
      expect(again.body).toContain('lab');
      socket.close();
      child.stdin.write('exit\n');
      await new Promise((resolve) => child.once('exit', resolve));
    } finally {
      child.kill();
    }
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
