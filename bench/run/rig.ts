/**
 * The processes of one scenario: a fresh server, one client worker per
 * descriptor share, and (for a network profile with delay) one delay proxy per
 * worker. The transports of a scenario take turns on the same rig: each turn
 * uses its own topics and session names, and the workers drop every client
 * between turns. Starting a TypeScript process takes seconds on a busy
 * two-core machine; doing it once per scenario is what keeps the default run
 * under five minutes.
 */
import type { NetworkConfig } from '../../src/results/schema.ts';
import { DRAIN_TIMEOUT_MS, ProxyChild } from './proxy-process.ts';
import { startServer, type ServerProcess } from './server-process.ts';
import { WorkerHandle } from './worker-handle.ts';

const LISTEN_TIMEOUT_MS = 60_000;

export class Rig {
  private constructor(
    readonly server: ServerProcess,
    readonly workers: WorkerHandle[],
    private readonly proxies: ProxyChild[],
    /** Where worker i's clients connect. */
    readonly targets: string[],
  ) {}

  /** `serverArgs`: extra flags of the server (e.g. `--ws-deflate --gzip` for `--compression`). */
  static async start(workerCount: number, network: NetworkConfig, pin: boolean, serverArgs: string[] = []): Promise<Rig> {
    // Everything forks at once, so the slow starts overlap.
    const needsProxy = network.rttMs > 0 || network.bandwidthBytesPerSecond !== undefined;
    const proxies = needsProxy ? Array.from({ length: workerCount }, () => new ProxyChild(pin)) : [];
    const workers = Array.from({ length: workerCount }, (_, i) => new WorkerHandle(i, pin));
    let server: ServerProcess | undefined;
    try {
      server = await startServer({ pin, args: serverArgs });
      const url = new URL(server.url);
      const targets = needsProxy
        ? (await Promise.all(proxies.map((proxy) => proxy.start(url, network)))).map((proxy) => proxy.url)
        : workers.map(() => server!.url);
      await Promise.all(workers.map((worker) => worker.listening));
      return new Rig(server, workers, proxies, targets);
    } catch (error) {
      await Promise.all([...workers.map((worker) => worker.stop()), ...proxies.map((proxy) => proxy.stop()), server?.stop()]);
      throw error;
    }
  }

  /** The server still runs and no worker died: the next transport can use this rig. */
  usable(): boolean {
    return this.server.alive() && this.workers.every((worker) => worker.alive());
  }

  /** Drops every client of the last turn; resolves when the workers are clean. */
  async reset(): Promise<void> {
    await Promise.all(
      this.workers.map((worker) => {
        const clean = worker.waitFor('hello', LISTEN_TIMEOUT_MS);
        worker.send({ type: 'reset' });
        return clean;
      }),
    );
  }

  /** Resolves once no delay proxy holds a byte in flight: both sides' counters then see the same bytes. */
  async drained(): Promise<void> {
    await Promise.all(this.proxies.map((proxy) => proxy.drained(DRAIN_TIMEOUT_MS)));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers.map((worker) => worker.stop()), ...this.proxies.map((proxy) => proxy.stop()), this.server.stop()]);
  }
}

/**
 * Hands out a rig for a network and a number of workers, reusing the last
 * one when it fits and still works (so a run starts its server once, not once
 * per scenario × transport).
 */
export class RigPool {
  private rig: Rig | undefined;
  private key = '';

  /** `warmUp` runs once on each new rig, before it is handed out. */
  constructor(
    private readonly pin: boolean,
    private readonly warmUp: (rig: Rig) => Promise<void> = async () => undefined,
    private readonly serverArgs: string[] = [],
  ) {}

  async acquire(network: NetworkConfig, workers: number): Promise<Rig> {
    const key = `${network.name}/${network.rttMs}/${network.bandwidthBytesPerSecond ?? '-'}/${workers}`;
    if (this.rig && (this.key !== key || !this.rig.usable())) await this.release();
    if (!this.rig) {
      this.rig = await Rig.start(workers, network, this.pin, this.serverArgs);
      await this.warmUp(this.rig);
    }
    this.key = key;
    return this.rig;
  }

  /** Stops the rig (before a part that brings its own servers, and at the end). */
  async release(): Promise<void> {
    const rig = this.rig;
    this.rig = undefined;
    await rig?.stop();
  }
}
