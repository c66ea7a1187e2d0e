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

/** The server's HTTP/2 ports a run needs (`--http 2`: h2c; `--http 2-tls`: TLS). */
export interface Http2Ports {
  h2c: boolean;
  tls: boolean;
}
const NO_HTTP2: Http2Ports = { h2c: false, tls: false };

export class Rig {
  private constructor(
    readonly server: ServerProcess,
    readonly workers: WorkerHandle[],
    private readonly proxies: ProxyChild[],
    /** Where worker i's clients connect. */
    readonly targets: string[],
    /** `--http 2`: where worker i's h2 sessions connect (the server's h2c port, or a second delay proxy in front of it). */
    readonly h2Targets: string[] = [],
    /** `--http 2-tls`: where worker i's h2-over-TLS sessions connect (https://, the TLS port or a proxy in front of it). */
    readonly tlsTargets: string[] = [],
  ) {}

  /**
   * `http2`: the server also listens for h2c and/or TLS (each with its own proxies);
   * `serverArgs`: extra flags of the server (e.g. `--ws-deflate --gzip` for `--compression`);
   * `startTarget`: what the clients talk to instead of one server process (the
   * cluster scenario: nodes behind nginx), started while the workers start.
   */
  static async start(
    workerCount: number,
    network: NetworkConfig,
    pin: boolean,
    http2: Http2Ports = NO_HTTP2,
    serverArgs: string[] = [],
    startTarget?: () => Promise<ServerProcess>,
  ): Promise<Rig> {
    // Everything forks at once, so the slow starts overlap.
    const needsProxy = network.rttMs > 0 || network.bandwidthBytesPerSecond !== undefined || network.conditions !== undefined;
    const proxies = needsProxy ? Array.from({ length: workerCount }, () => new ProxyChild(pin)) : [];
    // The delay proxy forwards TCP to one address: the h2c port gets proxies of its own.
    const h2Proxies = needsProxy && http2.h2c ? Array.from({ length: workerCount }, () => new ProxyChild(pin)) : [];
    const tlsProxies = needsProxy && http2.tls ? Array.from({ length: workerCount }, () => new ProxyChild(pin)) : [];
    const workers = Array.from({ length: workerCount }, (_, i) => new WorkerHandle(i, pin));
    let server: ServerProcess | undefined;
    try {
      server = startTarget ? await startTarget() : await startServer({ pin, h2c: http2.h2c, tls: http2.tls, args: serverArgs });
      const url = new URL(server.url);
      const targets = needsProxy
        ? (await Promise.all(proxies.map((proxy) => proxy.start(url, network)))).map((proxy) => proxy.url)
        : workers.map(() => server!.url);
      const h2cUrl = server.h2cUrl;
      if (http2.h2c && !h2cUrl) throw new Error('the server printed no h2c address');
      const tlsUrl = server.tlsUrl;
      if (http2.tls && !tlsUrl) throw new Error('the server printed no TLS address');
      // The proxies speak TCP: TLS passes through them as it is; the clients need the https scheme back.
      const tlsTargets = !tlsUrl
        ? []
        : needsProxy
          ? (await Promise.all(tlsProxies.map((proxy) => proxy.start(new URL(tlsUrl), network)))).map((proxy) => proxy.url.replace(/^http:/, 'https:'))
          : workers.map(() => tlsUrl);
      const h2Targets = !h2cUrl
        ? []
        : needsProxy
          ? (await Promise.all(h2Proxies.map((proxy) => proxy.start(new URL(h2cUrl), network)))).map((proxy) => proxy.url)
          : workers.map(() => h2cUrl);
      await Promise.all(workers.map((worker) => worker.listening));
      return new Rig(server, workers, [...proxies, ...h2Proxies, ...tlsProxies], targets, h2Targets, tlsTargets);
    } catch (error) {
      await Promise.all([...workers.map((worker) => worker.stop()), ...[...proxies, ...h2Proxies, ...tlsProxies].map((proxy) => proxy.stop()), server?.stop()]);
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

  /** `http2`: the server also listens for h2c (`--http 2`) and/or TLS (`2-tls`), each with its own proxies. */
  async acquire(network: NetworkConfig, workers: number, http2: Http2Ports = NO_HTTP2): Promise<Rig> {
    const key = `${network.name}/${network.rttMs}/${network.bandwidthBytesPerSecond ?? '-'}/${JSON.stringify(network.conditions ?? {})}/${workers}/${http2.h2c ? 'h2c' : ''}${http2.tls ? 'tls' : ''}`;
    if (this.rig && (this.key !== key || !this.rig.usable())) await this.release();
    if (!this.rig) {
      this.rig = await Rig.start(workers, network, this.pin, http2, this.serverArgs);
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
