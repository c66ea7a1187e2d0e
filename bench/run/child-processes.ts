/**
 * Every child process the bench starts is registered here, so that Ctrl-C,
 * a failure or a normal end leaves none behind (issue 3).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { OutputTail } from './output-tail.ts';
import { REPO_ROOT, TS_EXEC_ARGV } from './paths.ts';
import { pinnedCommand, type Role } from './pinning.ts';

const live = new Set<ChildProcess>();

export interface ForkedChild {
  child: ChildProcess;
  tail: OutputTail;
}

/** Forks a TypeScript module with an IPC channel, pinned when asked. */
export function forkTs(entry: string, role: Role, pin: boolean): ForkedChild {
  const pinned = pinnedCommand(pin, role, process.execPath, []);
  const child = fork(entry, [], {
    cwd: REPO_ROOT,
    execArgv: TS_EXEC_ARGV,
    // taskset execs node in place, so the pid stays that of the child.
    execPath: pinned.command === 'taskset' ? 'taskset' : process.execPath,
    ...(pinned.command === 'taskset' ? { execArgv: [...pinned.args, ...TS_EXEC_ARGV] } : {}),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // A process group of its own, as the server has: a signal to the terminal's group (Ctrl-C, or a
    // SIGTERM from a supervisor) reaches the bench alone, which stops its children when it has read
    // their figures. They cannot outlive it: each exits when its IPC channel closes.
    detached: true,
  });
  // A child that is gone turns a send into EPIPE on this object: that must not take the bench down.
  child.on('error', () => undefined);
  const tail = new OutputTail();
  tail.follow(child.stdout);
  tail.follow(child.stderr);
  track(child);
  return { child, tail };
}

export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** The pids of the children still running (tests check that none is left). */
export function livePids(): number[] {
  return [...live].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
}

/** Kills every child at once: SIGKILL, since by then nothing they hold is needed. */
export function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Waits until every registered child has exited (or `timeoutMs`), then kills the rest. */
export async function reapAll(timeoutMs: number): Promise<void> {
  const waits = [...live].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  }));
  await Promise.race([Promise.all(waits), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  killAll();
}

// Whatever happens to the orchestrator, its children go with it.
process.on('exit', killAll);
