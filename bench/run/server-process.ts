/**
 * The server under test, in its own process: started with the bench limits,
 * ready when it prints its address, and reported with its last output when it
 * fails to start or dies — never waited on forever.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { track } from './child-processes.ts';
import { OutputTail } from './output-tail.ts';
import { REPO_ROOT, SERVER_ENTRY, TS_EXEC_ARGV } from './paths.ts';
import { pinnedCommand } from './pinning.ts';

const READY_LINE = /transport-lab listening on (http:\/\/\S+)/;
const H2C_LINE = /transport-lab h2c \(prior knowledge\) on (http:\/\/\S+)/;
const TLS_LINE = /transport-lab TLS \(ALPN h2, http\/1\.1\) on (https:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 3_000;

export class ServerFailure extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
    this.name = 'ServerFailure';
  }
}

export interface ServerProcess {
  url: string;
  /** The cleartext HTTP/2 port's address, when started with `h2c` (`--http 2`). */
  h2cUrl?: string;
  /** The TLS port's address (ALPN h2 + http/1.1), when started with `tls` (`--http 2-tls`). */
  tlsUrl?: string;
  pid: number;
  /** Whether it still runs. */
  alive(): boolean;
  /** Set when the process ended before `stop()`: why, with its last output. */
  death(): ServerFailure | undefined;
  output(): string;
  stop(): Promise<void>;
}

export interface StartServerOptions {
  pin: boolean;
  /** Extra flags for src/server/main.ts. */
  args?: string[];
  startTimeoutMs?: number;
  /** Also listen for cleartext HTTP/2 (`--h2c-port 0`): ready once both addresses are printed. */
  h2c?: boolean;
  /** Also listen over TLS (`--tls-port 0`, a self-signed certificate made at start). */
  tls?: boolean;
  /** Extra environment (the cluster scenario's nodes: their shared TRANSPORT_LAB_SECRET). */
  env?: Record<string, string>;
}

export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const nodeArgs = [...TS_EXEC_ARGV, SERVER_ENTRY, '--port', '0', '--host', '127.0.0.1', '--bench-limits', ...(options.h2c ? ['--h2c-port', '0'] : []), ...(options.tls ? ['--tls-port', '0'] : []), ...(options.args ?? [])];
  const { command, args } = pinnedCommand(options.pin, 'server', process.execPath, nodeArgs);
  // A process group of its own: Ctrl-C in the terminal reaches the bench, which stops the server
  // when it has read its last figures (server-child.ts makes sure it cannot outlive the bench).
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...options.env, NODE_ENV: 'production' },
    detached: true,
  });
  track(child);
  const tail = new OutputTail();
  let stopping = false;
  let death: ServerFailure | undefined;

  let h2cUrl: string | undefined;
  let tlsUrl: string | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ServerFailure(`the server did not start within ${(options.startTimeoutMs ?? START_TIMEOUT_MS) / 1000} s`, tail.text()));
    }, options.startTimeoutMs ?? START_TIMEOUT_MS);
    let httpUrl: string | undefined;
    const onLine = (line: string): void => {
      const match = READY_LINE.exec(line);
      if (match) httpUrl = match[1].replace(/\/$/, '');
      const h2c = H2C_LINE.exec(line);
      if (h2c) h2cUrl = h2c[1].replace(/\/$/, '');
      const tls = TLS_LINE.exec(line);
      if (tls) tlsUrl = tls[1].replace(/\/$/, '');
      if (httpUrl !== undefined && (!options.h2c || h2cUrl !== undefined) && (!options.tls || tlsUrl !== undefined)) {
        clearTimeout(timer);
        resolve(httpUrl);
      }
    };
    tail.follow(child.stdout, onLine);
    tail.follow(child.stderr);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new ServerFailure(`the server could not be started: ${error.message}`, tail.text()));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new ServerFailure(`the server exited before it was ready (${signal ?? `code ${code}`})`, tail.text()));
    });
  });

  child.on('exit', (code, signal) => {
    if (!stopping) death = new ServerFailure(`the server died during the run (${signal ?? `code ${code}`})`, tail.text());
  });

  return {
    url,
    ...(h2cUrl ? { h2cUrl } : {}),
    ...(tlsUrl ? { tlsUrl } : {}),
    pid: child.pid ?? -1,
    alive: () => child.exitCode === null && child.signalCode === null,
    death: () => death,
    output: () => tail.text(),
    stop: () => {
      stopping = true;
      return stopChild(child, STOP_TIMEOUT_MS);
    },
  };
}

/** SIGTERM, then SIGKILL if it is still there after `timeoutMs`. */
export function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
