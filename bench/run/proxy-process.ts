/**
 * A delay proxy child (proxy-child.ts): forked early, while the server is
 * still starting, and pointed at the server once its address is known.
 */
import type { ChildProcess } from 'node:child_process';
import type { NetworkConfig } from '../../src/results/schema.ts';
import { forkTs } from './child-processes.ts';
import type { OutputTail } from './output-tail.ts';
import { PROXY_ENTRY } from './paths.ts';
import { stopChild } from './server-process.ts';

const START_TIMEOUT_MS = 30_000;

export interface ProxyProcess {
  url: string;
  stop(): Promise<void>;
}

/** Longest wait for a proxy to drain: beyond it the final reading goes ahead (and a difference shows). */
export const DRAIN_TIMEOUT_MS = 10_000;

export class ProxyChild {
  private readonly child: ChildProcess;
  private readonly tail: OutputTail;
  private readonly listening: Promise<void>;

  constructor(pin: boolean) {
    ({ child: this.child, tail: this.tail } = forkTs(PROXY_ENTRY, 'proxy', pin));
    this.listening = new Promise<void>((resolve) => {
      this.child.once('message', () => resolve());
    });
    this.listening.catch(() => undefined);
  }

  /** Points the proxy at `target`; resolves with its address. */
  async start(target: URL, network: NetworkConfig): Promise<ProxyProcess> {
    const exited = new Promise<never>((_, reject) => {
      this.child.once('exit', (code) => reject(new Error(`the delay proxy exited (code ${code})\n${this.tail.text()}`)));
    });
    exited.catch(() => undefined);
    const timeout = new Promise<never>((_, reject) => {
      setTimeout(() => reject(new Error(`the delay proxy did not start within ${START_TIMEOUT_MS / 1000} s\n${this.tail.text()}`)), START_TIMEOUT_MS).unref();
    });
    await Promise.race([this.listening, exited, timeout]);
    const answer = new Promise<{ url?: string; error?: string }>((resolve) => this.child.once('message', resolve));
    this.child.send({
      targetHost: target.hostname,
      targetPort: Number(target.port),
      oneWayDelayMs: network.rttMs / 2,
      ...(network.bandwidthBytesPerSecond ? { bandwidthBytesPerSecond: network.bandwidthBytesPerSecond } : {}),
    });
    const reply = await Promise.race([answer, exited, timeout]);
    if (!reply.url) throw new Error(`the delay proxy failed: ${reply.error ?? 'no address'}`);
    return { url: reply.url, stop: () => this.stop() };
  }

  private drains = 0;

  /** Resolves once no byte is in flight inside the proxy (or after `timeoutMs`, or when it is gone). */
  drained(timeoutMs: number): Promise<void> {
    const id = ++this.drains;
    const child = this.child;
    return new Promise<void>((resolve) => {
      const onMessage = (message: { drained?: number }): void => {
        if (message?.drained === id) done();
      };
      const done = (): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      child.on('message', onMessage);
      child.once('exit', done);
      if (child.connected) child.send({ drain: id }, (error) => error && done());
      else done();
    });
  }

  stop(): Promise<void> {
    return stopChild(this.child, 2000);
  }
}
