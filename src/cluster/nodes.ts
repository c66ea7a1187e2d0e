import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TYPESCRIPT_NODE_FLAGS } from '../typescript-loader.ts';
import { exited, stopChild, waitForLine } from './processes.ts';

/**
 * One node of the cluster: `src/server/main.ts` in a process of its own, on
 * Redis, on a free port. Run as `node` with our loader (not a CLI wrapper,
 * which puts a second process in between), so that the pid the cluster holds is the
 * server itself: a SIGKILL of it is a real crash of a node.
 */

const SERVER_MAIN = fileURLToPath(new URL('../server/main.ts', import.meta.url));

export interface NodeSpec {
  name: string;
  redisUrl: string;
  redisPrefix: string;
  /** Shared by every node: TRANSPORT_LAB_SECRET, TRANSPORT_LAB_KEY. */
  env: Record<string, string>;
  host?: string;
  /** Extra arguments for main.ts (e.g. --bench-limits). */
  args?: string[];
  /** Each line the node writes (stdout and stderr), for a log; ignored when absent. */
  onLine?: (line: string) => void;
}

export interface RunningNode {
  readonly name: string;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited, for any reason. */
  readonly exited: Promise<void>;
  /** SIGTERM (the node drains and closes), SIGKILL after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

export async function startNode(spec: NodeSpec): Promise<RunningNode> {
  const host = spec.host ?? '127.0.0.1';
  const child = spawn(process.execPath, [
    ...TYPESCRIPT_NODE_FLAGS, SERVER_MAIN,
    '--redis', spec.redisUrl, '--redis-prefix', spec.redisPrefix,
    '--host', host, '--port', '0', '--node-name', spec.name,
    // nginx (on loopback) forwards each client's address: the per-address limits
    // count clients, not nginx (src/server/client-address.ts).
    '--trust-proxy',
    ...(spec.args ?? []),
  ], { env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let match: RegExpMatchArray;
  try {
    // Up to the newline: a chunk may end inside the URL.
    match = await waitForLine(child, /transport-lab listening on (http:\/\/\S+)\n/, `node ${spec.name}`);
  } catch (error) {
    await stopChild(child, 'SIGKILL');
    throw error;
  }
  // Keep reading its output (a full pipe would block the node).
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) spec.onLine?.(line);
    });
  }
  const url = match[1];
  return {
    name: spec.name,
    url,
    host,
    port: Number(new URL(url).port),
    pid: child.pid ?? -1,
    child,
    exited: exited(child),
    close: (graceMs = 5_000) => stopChild(child, 'SIGTERM', graceMs),
  };
}
