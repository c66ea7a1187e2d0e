import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

/**
 * What the cluster needs from its child processes: a free port to hand to a
 * program that cannot listen on port 0 and tell us (nginx, redis-server), the
 * line a program prints once it is ready, and a stop that never leaves an orphan.
 */

/** A port free right now on 127.0.0.1 (the caller binds it next; a clash is reported by the program). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** True once something accepts TCP connections on host:port. */
export function answersTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves when the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  // No pid: it never started (spawn failed, e.g. ENOENT), and no 'exit' will come.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => {
      if (child.pid === undefined) resolve();
    });
  });
}

/**
 * Waits for the first stdout line matching `pattern` and returns its match;
 * rejects when the child exits first (with what it wrote to stderr) or after
 * `timeoutMs`.
 */
export function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const finish = (outcome: () => void): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
      child.off('error', onError);
      outcome();
    };
    const onOut = (chunk: Buffer): void => {
      stdout += chunk.toString('utf8');
      const match = pattern.exec(stdout);
      if (match) finish(() => resolve(match));
    };
    const onErr = (chunk: Buffer): void => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      finish(() => reject(new Error(`${what} exited (${signal ?? `code ${code}`}) before it was ready: ${stderr.trim() || stdout.trim()}`)));
    };
    const onError = (error: Error): void => {
      finish(() => reject(Object.assign(new Error(`${what} could not start: ${error.message}`), { code: (error as NodeJS.ErrnoException).code })));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`${what} was not ready within ${timeoutMs} ms: ${stderr.trim()}`))), timeoutMs);
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/**
 * Asks the child to stop with `signal`, then SIGKILLs it after `graceMs`:
 * whatever it does, it is gone when this resolves.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}
