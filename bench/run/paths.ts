/** Where things are, from this file's place in the repository. */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SERVER_ENTRY = fileURLToPath(new URL('../../src/server/main.ts', import.meta.url));
export const WORKER_ENTRY = fileURLToPath(new URL('../sim/worker.ts', import.meta.url));
export const PROXY_ENTRY = fileURLToPath(new URL('./proxy-child.ts', import.meta.url));

/** Node flags that let a child process run TypeScript the way this one does. */
export const TS_EXEC_ARGV = ['--import', 'tsx'];
