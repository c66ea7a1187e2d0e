import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
  },
});
