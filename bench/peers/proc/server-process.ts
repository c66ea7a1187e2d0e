/**
 * One contender's server as a child process: started, awaited until it
 * prints where it listens, measured through /proc, and stopped. A server that
 * does not start is an error with its last output, never a hang.
 */
import type { ChildProcess } from 'node:child_process';
import type { ContenderName } from '../types.ts';
import { OutputTail, readRssBytes, spawnNode } from './spawn-node.ts';

export interface ServerSpec {
  contender: ContenderName;
  script: string;
  args: string[];
}

/** Our server and the references, as data (STYLE habit 6). */
export const SERVER_SPECS: Readonly<Record<ContenderName, ServerSpec>> = {
  ours: { contender: 'ours', script: 'src/server/main.ts', args: ['--port', '0', '--host', '127.0.0.1', '--bench-limits'] },
  'node:http': { contender: 'node:http', script: 'bench/peers/refs/http-poll.ts', args: ['--port', '0'] },
  ws: { contender: 'ws', script: 'bench/peers/refs/ws-raw.ts', args: ['--port', '0'] },
  'ws+cork': { contender: 'ws+cork', script: 'bench/peers/refs/ws-raw.ts', args: ['--port', '0', '--cork'] },
  sse: { contender: 'sse', script: 'bench/peers/refs/sse-bare.ts', args: ['--port', '0'] },
  'socket.io': { contender: 'socket.io', script: 'bench/peers/refs/socketio.ts', args: ['--port', '0'] },
  'socket.io-polling': { contender: 'socket.io-polling', script: 'bench/peers/refs/socketio.ts', args: ['--port', '0', '--polling'] },
  'better-sse': { contender: 'better-sse', script: 'bench/peers/refs/better-sse.ts', args: ['--port', '0'] },
  faye: { contender: 'faye', script: 'bench/peers/refs/faye.ts', args: ['--port', '0'] },
  sockjs: { contender: 'sockjs', script: 'bench/peers/refs/sockjs.ts', args: ['--port', '0'] },
};

const LISTENING = /listening on (http:\/\/[^\s/]+)/;

/** Every server runs with gc-hook.mjs: a full GC on SIGUSR2, before each RSS reading (memory.ts). */
const GC_FLAGS = ['--expose-gc', '--import', new URL('./gc-hook.mjs', import.meta.url).href];

export class ServerProcess {
  private exited = false;
  #collections = 0;
  /** What the server wrote to stderr since the last `collectGarbage` began (a marker may span chunks). */
  #stderr = '';
  private constructor(
    readonly contender: ContenderName,
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly tail: OutputTail,
  ) {
    child.once('exit', () => (this.exited = true));
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4096);
    });
  }

  /** A full garbage collection in the server (gc-hook.mjs); resolves once it has run. */
  async collectGarbage(timeoutMs = 10_000): Promise<void> {
    this.#collections += 1;
    const marker = `peers-gc ${this.#collections}\n`;
    this.#stderr = '';
    this.child.kill('SIGUSR2');
    const deadline = Date.now() + timeoutMs;
    while (!this.#stderr.includes(marker)) {
      if (this.exited) throw new Error(`${this.contender} server exited during a garbage collection`);
      if (Date.now() > deadline) throw new Error(`${this.contender} server did not collect garbage within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return !this.exited;
  }

  get host(): string {
    return new URL(this.url).hostname;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  rssBytes(): number | null {
    return readRssBytes(this.pid);
  }

  output(): string {
    return this.tail.toString();
  }

  static start(spec: ServerSpec, options: { pin: boolean; timeoutMs?: number; nodeFlags?: string[] }): Promise<ServerProcess> {
    const tail = new OutputTail();
    const child = spawnNode({ script: spec.script, args: spec.args, nodeFlags: [...GC_FLAGS, ...(options.nodeFlags ?? [])], pinTo: options.pin ? 'server' : undefined });
    return new Promise((resolve, reject) => {
      let stdout = '';
      let listening = false;
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        const output = tail.toString();
        reject(new Error(`${spec.contender} server ${why}${output ? `; last output:\n${output}` : ''}`));
      };
      const timer = setTimeout(() => fail(`did not print its listening line within ${options.timeoutMs ?? 30_000} ms`), options.timeoutMs ?? 30_000);
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => tail.push(chunk));
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        tail.push(chunk);
        if (listening) return;
        stdout += chunk;
        const match = LISTENING.exec(stdout);
        if (match) {
          listening = true;
          clearTimeout(timer);
          child.removeListener('exit', onEarlyExit);
          resolve(new ServerProcess(spec.contender, match[1], child, tail));
        }
      });
      const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        fail(`exited before listening (code ${String(code)}, signal ${String(signal)})`);
      child.once('exit', onEarlyExit);
      child.once('error', (error) => fail(`could not be spawned: ${error.message}`));
    });
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
