/**
 * Writes `<out>/<run-id>.json`, `<out>/<run-id>.html` and `<out>/latest.json`.
 * Local adapter until bench/report/write.ts is in place; it writes the same
 * three files with the same names.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchResults, LatestPointer } from '../schema.ts';

export interface WrittenFiles {
  json: string;
  html: string | null;
  latest: string;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

export async function writeRun(results: BenchResults, outDir: string): Promise<WrittenFiles> {
  await mkdir(outDir, { recursive: true });
  const json = path.join(outDir, `${results.runId}.json`);
  await writeAtomically(json, `${JSON.stringify(results, null, 2)}\n`);
  let html: string | null = path.join(outDir, `${results.runId}.html`);
  try {
    const { renderHtmlReport } = await import('../report/html.ts');
    await writeAtomically(html, renderHtmlReport(results));
  } catch (error) {
    process.stderr.write(`could not write the HTML report: ${(error as Error).message}\n`);
    html = null;
  }
  const latest = path.join(outDir, 'latest.json');
  const pointer: LatestPointer = { latest: `${results.runId}.json`, runId: results.runId, date: results.context.date };
  await writeAtomically(latest, `${JSON.stringify(pointer, null, 2)}\n`);
  return { json, html, latest };
}
