/**
 * `--pin`: run each process on a chosen core with `taskset`, so that the
 * server and the load do not trade places on the two vCPUs (issue 5: a wake-up
 * across cores costs ≈ 100 µs, on one core ≈ 20 µs). Results say whether the
 * pinning really happened.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export type Role = 'server' | 'clients' | 'proxy';

let tasksetFound: boolean | undefined;

export function tasksetAvailable(): boolean {
  if (tasksetFound === undefined) {
    const probe = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    tasksetFound = probe.status === 0;
  }
  return tasksetFound;
}

/** The core a role runs on: the server alone on core 0, everything else on the others. */
export function coresFor(role: Role): string {
  const cores = os.availableParallelism();
  if (cores < 2) return '0';
  return role === 'server' ? '0' : `1-${cores - 1}`;
}

/** The command that runs `command args` pinned (when asked and possible) or as is. */
export function pinnedCommand(pin: boolean, role: Role, command: string, args: string[]): { command: string; args: string[] } {
  if (!pin || !tasksetAvailable()) return { command, args };
  return { command: 'taskset', args: ['-c', coresFor(role), command, ...args] };
}
