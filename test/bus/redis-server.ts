import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { Redis } from 'ioredis';
import { eventually } from '../wait.ts';

/**
 * A redis-server this test owns (Debian's, on a free 127.0.0.1 port, no
 * persistence), so that it can be paused, killed and started again without
 * touching the machine's Redis that others use.
 */
export class OwnRedis {
  #child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.restart();
    return redis;
  }

  /** Starts the server (again, empty) and waits until it answers PING. */
  async restart(): Promise<void> {
    const old = this.#child;
    this.kill();
    // The killed server must be gone before another binds its port (else that one exits at once, "address in use").
    if (old && old.exitCode === null && old.signalCode === null) await once(old, 'exit');
    const child = spawn('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no',
    ], { stdio: 'ignore' });
    this.#child = child;
    await eventually(() => ping(this.port), 'the test-owned redis-server to answer PING');
  }

  /** SIGSTOP: connections stay open, nothing is answered. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** SIGKILL, as a crash: connections drop, data is gone. */
  kill(): void {
    if (!this.#child || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGCONT');
    this.#child.kill('SIGKILL');
    // #child stays: `restart` waits for its exit (signalCode is set then).
  }
}

async function ping(port: number): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A port on 127.0.0.1 that was free a moment ago (listened on, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
