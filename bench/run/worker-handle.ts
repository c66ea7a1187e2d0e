/**
 * The orchestrator's side of one client worker process: send a message, wait
 * for an answer of a given type with a time limit, and hear about ticks.
 * A worker that dies fails every wait at once, with its last output.
 */
import type { ChildProcess } from 'node:child_process';
import type { FromWorker, ToWorker } from './ipc.ts';
import { forkTs } from './child-processes.ts';
import type { OutputTail } from './output-tail.ts';
import { WORKER_ENTRY } from './paths.ts';
import { stopChild } from './server-process.ts';

type Answer<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

interface Waiter {
  type: FromWorker['type'];
  resolve(message: FromWorker): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class WorkerHandle {
  private readonly child: ChildProcess;
  private readonly tail: OutputTail;
  private readonly waiters = new Set<Waiter>();
  private dead: Error | undefined;
  onTick: ((message: Answer<'tick'>) => void) | undefined;
  /** Resolves once the worker listens for messages (see `hello` in ipc.ts). */
  readonly listening: Promise<unknown>;

  constructor(readonly index: number, pin: boolean) {
    ({ child: this.child, tail: this.tail } = forkTs(WORKER_ENTRY, 'clients', pin));
    this.child.on('message', (message: FromWorker) => this.receive(message));
    this.child.once('exit', (code, signal) => {
      this.dead = new Error(`client worker ${index} exited (${signal ?? `code ${code}`})${this.outputSuffix()}`);
      for (const waiter of this.waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(this.dead);
      }
      this.waiters.clear();
    });
    this.listening = this.waitFor('hello', 60_000);
    this.listening.catch(() => undefined);
  }

  alive(): boolean {
    return this.dead === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private outputSuffix(): string {
    const text = this.tail.text();
    return text ? `\n${text}` : '';
  }

  private receive(message: FromWorker): void {
    if (message.type === 'tick') {
      this.onTick?.(message);
      return;
    }
    for (const waiter of this.waiters) {
      if (message.type === 'failed') {
        waiter.reject(new Error(`client worker ${this.index}: ${message.message}`));
      } else if (waiter.type !== message.type) continue;
      else waiter.resolve(message);
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      if (message.type !== 'failed') return;
    }
  }

  /** Sends when the worker still listens; a worker that died meanwhile is reported by `exit`, not by a throw. */
  send(message: ToWorker): void {
    if (this.child.connected) this.child.send(message, () => undefined);
  }

  waitFor<T extends FromWorker['type']>(type: T, timeoutMs: number): Promise<Answer<T>> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<Answer<T>>((resolve, reject) => {
      const waiter: Waiter = {
        type,
        resolve: (message) => resolve(message as Answer<T>),
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`client worker ${this.index} sent no '${type}' within ${Math.round(timeoutMs / 1000)} s${this.outputSuffix()}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Asks it to close its clients and exit; SIGTERM after a second, SIGKILL after three. */
  async stop(): Promise<void> {
    this.send({ type: 'close' });
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1000))]);
    await stopChild(this.child, 2000);
  }
}
