import { defineConfig } from 'vitest/config';

/**
 * Files that read how punctual this process's own timers are: they run first,
 * by themselves, before the other files load the machine.
 */
const TIMER_PUNCTUALITY = ['test/bench-core/event-loop-delay.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Servers and browsers are real; two cores are shared by everything. Most of a
    // file's time is spent waiting (on servers, child processes, heartbeats, phases),
    // not computing: with two workers the suite used about one core. Four workers
    // overlap those waits. (Vitest starts the files that took longest last time first.)
    fileParallelism: true,
    maxWorkers: 4,
    // A worker runs its files one after another in one module graph instead of a
    // fresh one per file: each file no longer pays for loading vitest, src/ and
    // node_modules again (about a third of a CPU-second per file on this machine).
    // Test files are still evaluated afresh; no helper registers hooks when imported,
    // and servers, browsers and children belong to the test that started them.
    isolate: false,
    projects: [
      { extends: true, test: { name: 'timers', include: TIMER_PUNCTUALITY, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: TIMER_PUNCTUALITY, sequence: { groupOrder: 1 } } },
    ],
  },
});
