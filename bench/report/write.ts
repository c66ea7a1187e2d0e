/**
 * Writes a run's files into results/:
 * - `<runId>.json` — the results (src/results/schema.ts);
 * - `<runId>.html` — the self-contained report;
 * - `latest.json` — a pointer to the newest run: `{ "latest": "<runId>.json", "runId", "date" }`
 *   (LatestPointer in src/results/schema.ts). The dashboard reads it to open the newest run.
 * Each file is written to a temporary name and renamed, so a reader never sees half a file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BenchResults, LatestPointer } from '../../src/results/schema.ts';
import { renderHtmlReport } from './html.ts';

export interface WrittenFiles {
  json: string;
  html: string;
  latest: string;
}

export interface WriteOptions {
  /** Directory to write into; default `results` under the current directory. */
  dir?: string;
  /** Skip the HTML (tests of the JSON alone). */
  html?: boolean;
  /** Leave latest.json alone (e.g. a run written elsewhere with --out). */
  updateLatest?: boolean;
}

/** A file-name-safe run id from the start time and an optional label: "2026-11-22T02-30-00Z-quick". */
export function makeRunId(date: Date, label?: string): string {
  const stamp = date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  const suffix = label ? `-${label.replace(/[^A-Za-z0-9_.-]+/g, '-')}` : '';
  return `${stamp}${suffix}`;
}

function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

export function writeResults(results: BenchResults, options: WriteOptions = {}): WrittenFiles {
  if (!/^[A-Za-z0-9_.-]+$/.test(results.runId)) {
    throw new Error(`runId "${results.runId}" is not a safe file name: use A-Z a-z 0-9 _ . -`);
  }
  const dir = resolve(options.dir ?? 'results');
  mkdirSync(dir, { recursive: true });
  const files: WrittenFiles = {
    json: join(dir, `${results.runId}.json`),
    html: join(dir, `${results.runId}.html`),
    latest: join(dir, 'latest.json'),
  };
  writeAtomically(files.json, `${JSON.stringify(results, null, 2)}\n`);
  if (options.html !== false) writeAtomically(files.html, renderHtmlReport(results));
  if (options.updateLatest !== false) {
    const pointer: LatestPointer = { latest: `${results.runId}.json`, runId: results.runId, date: results.context.date };
    writeAtomically(files.latest, `${JSON.stringify(pointer, null, 2)}\n`);
  }
  return files;
}
