/**
 * The bench's handle on one load process: send it commands, await its
 * reports by type, and stop it. A load process that dies rejects whatever
 * was awaited, with its last output.
 */
import type { ChildProcess } from 'node:child_process';
import type { WorkerCommand, WorkerConfig, WorkerReport } from '../load/messages.ts';
import { OutputTail, readCpuSeconds, spawnNode } from './spawn-node.ts';

type ReportOf<T extends WorkerReport['type']> = Extract<WorkerReport, { type: T }>;

interface Waiter {
  type: WorkerReport['type'];
  resolve: (report: WorkerReport) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class LoadProcess {
  private readonly child: ChildProcess;
  private readonly tail = new OutputTail(20);
  private readonly inbox: WorkerReport[] = [];
  private readonly waiters: Waiter[] = [];
  private exited = false;

  /** Spawns the process and tells it to start; `tokens` gives each client its own session. */
  constructor(readonly name: string, config: WorkerConfig, pin: boolean, tokens?: string[]) {
    this.child = spawnNode({
      script: 'bench/peers/load/worker.ts',
      args: [JSON.stringify(config)],
      pinTo: pin ? 'load' : undefined,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.tail.push(chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.tail.push(chunk));
    this.child.on('message', (report: WorkerReport) => this.deliver(report));
    this.send({ type: 'start', tokens });
    this.child.once('exit', (code, signal) => {
      this.exited = true;
      const error = new Error(`load process ${name} exited (code ${String(code)}, signal ${String(signal)})${this.output() ? `: ${this.output()}` : ''}`);
      for (const waiter of this.waiters.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(error);
      }
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  output(): string {
    return this.tail.toString();
  }

  cpuSeconds(): number | null {
    return readCpuSeconds(this.pid);
  }

  send(command: WorkerCommand): void {
    if (!this.exited && this.child.connected) this.child.send(command);
  }

  /** The next report of `type` (one already received counts), or a rejection after `timeoutMs`. */
  next<T extends WorkerReport['type']>(type: T, timeoutMs: number): Promise<ReportOf<T>> {
    const queued = this.inbox.findIndex((report) => report.type === type || report.type === 'fatal');
    if (queued !== -1) {
      const [report] = this.inbox.splice(queued, 1);
      return report.type === 'fatal' ? Promise.reject(new Error(`load process ${this.name}: ${report.message}`)) : Promise.resolve(report as ReportOf<T>);
    }
    if (this.exited) return Promise.reject(new Error(`load process ${this.name} is not running: ${this.output()}`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        type,
        resolve: (report) => resolve(report as ReportOf<T>),
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`load process ${this.name}: no '${type}' report within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private deliver(report: WorkerReport): void {
    const index = this.waiters.findIndex((waiter) => waiter.type === report.type || report.type === 'fatal');
    if (index === -1) {
      this.inbox.push(report);
      return;
    }
    const [waiter] = this.waiters.splice(index, 1);
    clearTimeout(waiter.timer);
    if (report.type === 'fatal') waiter.reject(new Error(`load process ${this.name}: ${report.message}`));
    else waiter.resolve(report);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
