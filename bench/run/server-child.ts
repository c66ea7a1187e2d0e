/**
 * Runs src/server/main.ts (same flags) as a child that cannot outlive the
 * bench: it holds an IPC channel to the orchestrator and exits when that
 * channel closes — even when the orchestrator was killed outright and had no
 * chance to stop it.
 */
export {};

process.on('disconnect', () => process.exit(0));
await import('../../src/server/main.ts');
