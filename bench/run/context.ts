/** Where and when the run happened (STYLE habit 7: results describe themselves). */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import type { CpuWakeState, RunContext } from '../../src/results/schema.ts';
import { REPO_ROOT } from './paths.ts';

function git(args: string[]): string | null {
  const result = spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 5000 });
  return result.status === 0 ? result.stdout.trim() : null;
}

export function runContext(pinned: boolean, date = new Date(), cpuWake?: CpuWakeState): RunContext {
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no']);
  const cpus = os.cpus();
  return {
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    commit,
    ...(status === null ? {} : { dirty: status !== '' }),
    date: date.toISOString(),
    pinned,
    ...(cpuWake ? { cpuWake } : {}),
  };
}

/** e.g. `2026-11-22T02-30-00Z-quick`: sortable, safe as a file name. */
export function runIdFor(date: Date, quick: boolean): string {
  const stamp = date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  return quick ? `${stamp}-quick` : stamp;
}
