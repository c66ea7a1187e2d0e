import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Servers and browsers are real; two cores are shared by everything.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
