/**
 * Starting TypeScript entry points as their own node processes, optionally
 * pinned to a core. We run `node --import tsx file.ts` directly rather than
 * `npx tsx`, whose wrapper processes would own the pid: the RSS we read from
 * `/proc/<pid>/status` must be the server's own.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root: tsx and the entry points resolve from here. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Core 0 for servers, core 1 for load generators (issue 5, `--pin`). */
export type CoreRole = 'server' | 'load';

let tasksetWorks: boolean | undefined;

/** Whether `taskset -c` can pin here (and at least two cores exist). */
export function canPin(): boolean {
  if (tasksetWorks === undefined) {
    const probe = spawnSync('taskset', ['-c', '1', 'true'], { stdio: 'ignore' });
    tasksetWorks = probe.status === 0;
  }
  return tasksetWorks;
}

export interface SpawnNodeOptions {
  /** Path relative to the repository root. */
  script: string;
  /** Load TypeScript through tsx (default); false for a plain JavaScript entry point. */
  typescript?: boolean;
  args?: string[];
  nodeFlags?: string[];
  pinTo?: CoreRole;
  stdio?: StdioOptions;
  env?: NodeJS.ProcessEnv;
}

export function spawnNode(options: SpawnNodeOptions): ChildProcess {
  const loader = options.typescript === false ? [] : ['--import', 'tsx'];
  const nodeArgs = [...(options.nodeFlags ?? []), ...loader, options.script, ...(options.args ?? [])];
  const pinned = options.pinTo !== undefined && canPin();
  const command = pinned ? 'taskset' : process.execPath;
  const args = pinned ? ['-c', options.pinTo === 'server' ? '0' : '1', process.execPath, ...nodeArgs] : nodeArgs;
  return spawn(command, args, {
    cwd: REPO_ROOT,
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
}

/** Resident set size of a process, from `/proc/<pid>/status` (VmRSS), or null. */
export function readRssBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** User + system CPU seconds of a process so far, from `/proc/<pid>/stat`, or null. */
export function readCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return null;
  }
}

/** Keeps the last lines a process wrote, for error reports. */
export class OutputTail {
  private readonly lines: string[] = [];
  constructor(private readonly keep = 40) {}

  push(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (line.trim() === '') continue;
      this.lines.push(line);
      if (this.lines.length > this.keep) this.lines.shift();
    }
  }

  toString(): string {
    return this.lines.join('\n');
  }
}
