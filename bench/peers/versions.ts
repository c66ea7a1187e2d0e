/**
 * What each contender is, with its version, for the table and the results
 * file: a library reference names its package as installed here; the bare
 * references are Node's own modules (and `ws`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './proc/spawn-node.ts';
import type { ContenderName } from './types.ts';

const PACKAGES: Readonly<Record<ContenderName, string | null>> = {
  ours: null,
  'node:http': null,
  sse: null,
  ws: 'ws',
  'ws+cork': 'ws',
  'socket.io': 'socket.io',
  'socket.io-polling': 'socket.io',
  'better-sse': 'better-sse',
  faye: 'faye',
  sockjs: 'sockjs',
};

/** `package@version` as installed, `node:http@<node version>` for the bare ones, or `package@?` when unreadable. */
export function versionOf(contender: ContenderName): string {
  const name = PACKAGES[contender];
  if (contender === 'ours') return `transport-lab@${readVersion(REPO_ROOT) ?? '?'}`;
  if (name === null) return `node:http@${process.versions.node}`;
  return packageVersion(name);
}

/** `package@version` of an installed package (`package@?` when unreadable). */
export function packageVersion(name: string): string {
  return `${name}@${readVersion(join(REPO_ROOT, 'node_modules', name)) ?? '?'}`;
}

function readVersion(directory: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

export function versionsOf(contenders: ContenderName[]): Partial<Record<ContenderName, string>> {
  return Object.fromEntries(contenders.map((contender) => [contender, versionOf(contender)]));
}

/** Which of a library's transports a row of `transport` measured (one server serves several). */
const TRANSPORT_OF: Partial<Record<ContenderName, Partial<Record<string, string>>>> = {
  faye: { longpoll: 'long-polling', ws: 'websocket' },
  sockjs: { longpoll: 'xhr-polling', sse: 'xhr-streaming', ws: 'websocket' },
  'socket.io': { ws: 'websocket' },
};

/** The reference column of the table: the contender, its version, and which transport of it. */
export function referenceLabel(contender: string, transport: string, versions: Partial<Record<string, string>> | undefined): string {
  const version = versions?.[contender]?.split('@').pop();
  const which = TRANSPORT_OF[contender as ContenderName]?.[transport];
  // The bare event stream is Node's own http module: say so, not "sse 20.x".
  if (contender === 'sse' && version !== undefined) return `sse (node:http ${version})`;
  return [contender, version, which].filter((part) => part !== undefined && part !== '').join(' ');
}
