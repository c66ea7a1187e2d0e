/**
 * Starting TypeScript entry points as their own node processes, optionally
 * pinned to a core. We run `node --import <our loader> file.ts` directly
 * (src/typescript-loader.ts) rather than a CLI wrapper, whose processes would own the pid: the RSS we read from
 * `/proc/<pid>/status` must be the server's own.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TYPESCRIPT_NODE_FLAGS } from '../../../src/typescript-loader.ts';

/** The repository root: the entry points resolve from here. */
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
  /** Load TypeScript through our loader (default); false for a plain JavaScript entry point. */
  typescript?: boolean;
  args?: string[];
  nodeFlags?: string[];
  pinTo?: CoreRole;
  stdio?: StdioOptions;
  env?: NodeJS.ProcessEnv;
}

export function spawnNode(options: SpawnNodeOptions): ChildProcess {
  const loader = options.typescript === false ? [] : TYPESCRIPT_NODE_FLAGS;
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

/**
 * CPU seconds a process has run so far, all its threads (V8's GC helpers and
 * libuv's pool too), or null. From each thread's `/proc/<pid>/task/<tid>/schedstat`
 * (nanoseconds), not `/proc/<pid>/stat` (10 ms ticks): a release of 10,000 held
 * polls takes about 250 ms of CPU, so ticks would round every ratio by ±4 %.
 * Falls back to the ticks where schedstat is missing.
 */
export function readCpuSeconds(pid: number): number | null {
  try {
    let nanoseconds = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8');
      nanoseconds += Number(stat.slice(0, stat.indexOf(' ')));
    }
    if (Number.isFinite(nanoseconds)) return nanoseconds / 1e9;
  } catch {
    // A thread that ended while listed, or no schedstat: the ticks below.
  }
  return readCpuTicksSeconds(pid);
}

/** User + system CPU seconds of a process so far, from `/proc/<pid>/stat` (10 ms resolution), or null. */
export function readCpuTicksSeconds(pid: number): number | null {
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
