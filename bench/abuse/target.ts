/**
 * Starts the server under attack (server-entry.ts) as a child process on
 * 127.0.0.1 port 0 and keeps what the attack tests and the bench read from
 * it: its URL, its memory, its output (a stack trace in it is a finding) and
 * whether it is still alive. The child cannot outlive its parent.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerOptions } from '../../src/config.ts';
import { TYPESCRIPT_NODE_FLAGS } from '../../src/typescript-loader.ts';
import { readMemory, type MemoryReading } from './rss.ts';

const ENTRY = fileURLToPath(new URL('./server-entry.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY_LINE = /transport-lab listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
/** Output kept for the report of a death or a stack trace (the newest bytes). */
const OUTPUT_KEPT = 64 * 1024;

/**
 * Server options for an attack. Besides ServerOptions it may carry options a
 * fix adds (per-address limits, …) that this branch does not know yet, and the
 * lab's results folder.
 */
export type TargetOptions = Partial<ServerOptions> & { resultsDir?: string } & Record<string, unknown>;

export interface Target {
  url: string;
  pid: number;
  /** RSS once started, before any attack: the base the memory bounds are above. */
  baselineRssBytes: number;
  memory(): MemoryReading;
  alive(): boolean;
  /** stdout and stderr, newest OUTPUT_KEPT bytes. */
  output(): string;
  /** Sends SIGTERM (the server drains and exits); resolves at once. */
  terminate(): void;
  /** SIGTERM, then SIGKILL after a deadline; resolves when the process is gone. */
  stop(): Promise<void>;
}

export async function startTarget(options: TargetOptions = {}): Promise<Target> {
  const child = spawn(process.execPath, [...TYPESCRIPT_NODE_FLAGS, ENTRY], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', ABUSE_SERVER_OPTIONS: JSON.stringify(options) },
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`));
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', () => {
      const match = READY_LINE.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited before it was ready (${signal ?? `code ${code}`}):\n${output}`));
    });
  });
  const pid = child.pid ?? -1;
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;

  return {
    url,
    pid,
    baselineRssBytes: readMemory(pid).rssBytes,
    memory: () => readMemory(pid),
    alive,
    output: () => output,
    terminate: () => {
      child.kill('SIGTERM');
    },
    stop: async () => {
      if (!alive()) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}
