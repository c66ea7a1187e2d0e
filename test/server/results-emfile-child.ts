/**
 * Run by results-routes.test.ts in a child process: takes every free file
 * descriptor of this process (never the test runner's), then lists results/
 * and reads one run, and prints what came back as one JSON line.
 */
import { openSync } from 'node:fs';
import express from 'express';
import { listResults, mountResultsRoutes } from '../../src/lab/results-routes.ts';

const dir = process.argv[2] ?? '';
// Express and the routes are loaded before the descriptors run out.
mountResultsRoutes(express(), dir);
const held: number[] = [];
for (;;) {
  try {
    held.push(openSync('/dev/null', 'r'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EMFILE') throw error;
    break;
  }
}
const outcome = await listResults(dir).then(
  (listing) => ({ listed: listing.files.length }),
  (error: { code?: string; status?: number; message?: string }) => ({ code: error.code, status: error.status, message: error.message }),
);
process.stdout.write(`${JSON.stringify({ held: held.length, ...outcome })}\n`);
process.exit(0);
