/** Where things are, from this file's place in the repository. */
import { fileURLToPath } from 'node:url';
import { TYPESCRIPT_NODE_FLAGS } from '../../src/typescript-loader.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** src/server/main.ts behind a wrapper that exits with the bench (server-child.ts). */
export const SERVER_ENTRY = fileURLToPath(new URL('./server-child.ts', import.meta.url));
export const WORKER_ENTRY = fileURLToPath(new URL('../sim/worker.ts', import.meta.url));
export const PROXY_ENTRY = fileURLToPath(new URL('./proxy-child.ts', import.meta.url));

/** Node flags that let a child process run TypeScript: the lab's loader (src/typescript-loader.ts). */
export const TS_EXEC_ARGV = [...TYPESCRIPT_NODE_FLAGS];
