/**
 * Cold routes for the dashboard: which runs `results/` holds, and one run's
 * file as written. The browser validates the file itself (bench/schema.ts
 * `validateResults`), so a corrupt or old-schema file reaches it intact and
 * is explained there rather than hidden here.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type express from 'express';
import { LabError } from '../protocol/index.ts';
import { validateResults } from '../../bench/schema.ts';
import { sendLabError } from './http.ts';
import type { ResultsFileEntry, ResultsListing } from './types.ts';

/** Folders below results/ that hold runs too (the committed reference run). */
const SUBFOLDERS = ['reference'];
/** A listing reads every file; a folder of thousands of runs is cut here. */
const MAX_FILES = 200;
const FILE_NAME = /^(?:reference\/)?[A-Za-z0-9_-][A-Za-z0-9_.-]{0,200}\.json$/;
const POINTER = 'latest.json';

export function mountResultsRoutes(app: express.Express, resultsDir: string): void {
  const root = path.resolve(resultsDir);

  app.get('/api/lab/results', async (_req, res) => {
    try {
      res.json(await listResults(root));
    } catch (error) {
      sendLabError(res, error);
    }
  });

  // The file name may hold one slash (`reference/x.json`), sent URL-encoded.
  app.get('/api/lab/results/:file', async (req, res) => {
    try {
      const file = checkFileName(req.params.file);
      const text = await readFile(resolveInside(root, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'EISDIR') return null;
        throw error;
      });
      if (text === null) {
        res.status(404).json(new LabError('not_found', `no results file ${file} in results/`).toBody());
        return;
      }
      // Sent as written, even when empty or corrupt: the dashboard explains it.
      res.type('application/json').send(text);
    } catch (error) {
      sendLabError(res, error);
    }
  });
}

export function checkFileName(value: unknown): string {
  if (typeof value !== 'string' || !FILE_NAME.test(value) || value.includes('..')) {
    throw new LabError('bad_request', 'a results file is <name>.json or reference/<name>.json of A-Z a-z 0-9 _ . -');
  }
  return value;
}

function resolveInside(root: string, file: string): string {
  const full = path.resolve(root, file);
  // The pattern already forbids escapes; this keeps that true if it ever changes.
  if (!full.startsWith(root + path.sep)) throw new LabError('bad_request', 'results file outside results/');
  return full;
}

export async function listResults(root: string): Promise<ResultsListing> {
  const names: string[] = [];
  for (const folder of ['', ...SUBFOLDERS]) {
    const entries = await readdir(path.join(root, folder)).catch(() => [] as string[]);
    for (const entry of entries) {
      const file = folder ? `${folder}/${entry}` : entry;
      if (file !== POINTER && FILE_NAME.test(file)) names.push(file);
    }
  }
  const latest = await readLatestPointer(root);
  const files: ResultsFileEntry[] = [];
  for (const file of names.sort().reverse().slice(0, MAX_FILES)) {
    const entry = await describeFile(root, file, file === latest);
    if (entry) files.push(entry);
  }
  return { files };
}

async function describeFile(root: string, file: string, latest: boolean): Promise<ResultsFileEntry | null> {
  const full = resolveInside(root, file);
  const info = await stat(full).catch(() => null);
  if (!info?.isFile()) return null;
  const text = await readFile(full, 'utf8');
  const checked = validateResults(text);
  const entry: ResultsFileEntry = { file, bytes: info.size, modified: info.mtime.toISOString(), latest, status: 'ok' };
  if (checked.ok) {
    entry.runId = checked.results.runId;
    entry.date = checked.results.context.date;
    entry.incomplete = checked.results.incomplete;
  } else {
    entry.status = checked.failure;
    entry.reason = checked.reason;
  }
  return entry;
}

async function readLatestPointer(root: string): Promise<string | null> {
  try {
    const pointer = JSON.parse(await readFile(path.join(root, POINTER), 'utf8')) as { latest?: unknown };
    return typeof pointer.latest === 'string' ? pointer.latest : null;
  } catch {
    return null;
  }
}
