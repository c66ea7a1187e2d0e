import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { answersTcp, exited, freePort, stopChild } from './processes.ts';
import { renderNginxConfig, type HostPort, type NginxVariant } from './nginx-config.ts';

/**
 * nginx as an unprivileged child process: a scratch prefix for its pid, logs and
 * temp files, the rendered config, `daemon off` so it is our child, and a stop
 * that removes the scratch folder.
 */

/** The nginx binary: $NGINX, then PATH, then Debian's /usr/sbin (not on a user's PATH). */
export function findNginx(): string | undefined {
  const candidates = [
    process.env.NGINX,
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'nginx')),
    '/usr/sbin/nginx',
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface NginxOptions {
  upstreams: HostPort[];
  variant?: NginxVariant;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Pin each client address to one node (nginx-config.ts `sticky`). */
  sticky?: boolean;
}

export interface RunningNginx {
  readonly url: string;
  readonly port: number;
  readonly prefix: string;
  readonly pid: number;
  /** Resolves when the nginx master has exited, for any reason. */
  readonly exited: Promise<void>;
  /** nginx's access log so far (format `lab`: method, path, status, upstream). */
  accessLog(): Promise<string>;
  /** Stops nginx (SIGTERM; SIGKILL after `graceMs`) and removes its folder. */
  close(graceMs?: number): Promise<void>;
}

/** Tries of a free port: another process may take the one we picked before nginx binds it. */
const PORT_TRIES = 3;

export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startNginxOnce(options);
    } catch (error) {
      const clash = error instanceof Error && /Address already in use/.test(error.message);
      if (!clash || options.port || attempt >= PORT_TRIES) throw error;
    }
  }
}

async function startNginxOnce(options: NginxOptions): Promise<RunningNginx> {
  const binary = findNginx();
  if (!binary) throw new Error('nginx is not installed (Debian: apt-get install nginx); the cluster needs it in front of the nodes');
  const host = options.host ?? '127.0.0.1';
  const port = options.port || (await freePort(host));
  const prefix = await mkdtemp(path.join(tmpdir(), 'transport-lab-nginx-'));
  const removePrefix = (): Promise<void> => rm(prefix, { recursive: true, force: true });
  const confPath = path.join(prefix, 'nginx.conf');
  try {
    await writeFile(confPath, renderNginxConfig({
      variant: options.variant ?? 'tuned',
      prefix,
      listen: { host, port },
      upstreams: options.upstreams,
      asRoot: process.getuid?.() === 0,
      sticky: options.sticky,
    }));
  } catch (error) {
    await removePrefix();
    throw error;
  }
  const errorLog = path.join(prefix, 'error.log');
  // -e: the error log before the config is read (the compiled-in one may not be writable).
  const child = spawn(binary, ['-p', prefix, '-c', confPath, '-e', errorLog], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });

  try {
    // Ready: the master wrote its pid file (after binding its port) and the port answers.
    // The pid file first, so that another program on the port is not taken for nginx.
    const pidFile = path.join(prefix, 'nginx.pid');
    const deadline = Date.now() + 10_000;
    while (!existsSync(pidFile) || !(await answersTcp(host, port))) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        const log = await readFile(errorLog, 'utf8').catch(() => '');
        throw new Error(`nginx did not start on ${host}:${port}: ${(stderr + log).trim() || 'no output'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await stopChild(child, 'SIGTERM', 2_000);
    await removePrefix();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    prefix,
    pid: child.pid ?? -1,
    exited: exited(child),
    accessLog: () => readFile(path.join(prefix, 'access.log'), 'utf8').catch(() => ''),
    close(graceMs = 3_000) {
      closing ??= (async () => {
        // SIGTERM, nginx's fast shutdown: the master stops its workers and closes
        // every connection. (SIGQUIT would wait for held long polls and streams,
        // which never end on their own; a SIGKILLed master would orphan its worker.)
        await stopChild(child, 'SIGTERM', graceMs).catch(() => undefined);
        await exited(child);
        await removePrefix();
      })();
      return closing;
    },
  };
}
