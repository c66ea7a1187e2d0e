/**
 * Preloaded into every peers server, ours and the references alike (node
 * runs with --expose-gc): SIGUSR2 runs a full garbage collection and says so
 * on stderr (`peers-gc <n>`). An RSS reading taken after it counts what the
 * connections keep, not garbage V8 had not collected yet — whose amount
 * depends on when the last major GC happened to run, on either side.
 */
import process from 'node:process';

let collections = 0;
process.on('SIGUSR2', () => {
  // Twice: the first frees what weak references and finalizers held on to.
  globalThis.gc?.();
  globalThis.gc?.();
  collections += 1;
  process.stderr.write(`peers-gc ${collections}\n`);
});
