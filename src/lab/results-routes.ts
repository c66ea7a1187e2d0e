/**
 * Cold routes for the dashboard: which runs `results/` holds, and one run's
 * file as written. The browser validates the file itself (src/results/validate.ts
 * `validateResults`), so a corrupt or old-schema file reaches it intact and
 * is explained there rather than hidden here.
 *
 * Only real files inside the folder are listed or served: a symlink (to
 * /etc/passwd, or to a folder elsewhere) is treated as absent. A process out
 * of file descriptors says so (503 unavailable, EMFILE) instead of listing
 * nothing, and malformed input is a 400 with its code, never a 500 and a stack.
 */
import { constants } from 'node:fs';
import { lstat, open, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import type express from 'express';
import { LabError } from '../protocol/index.ts';
import { validateResults } from '../results/validate.ts';
import { sendError } from '../transports/http-io.ts';
import type { ResultsFileEntry, ResultsListing } from './types.ts';

/** Folders below results/ that hold runs too (the committed reference run). */
const SUBFOLDERS = ['reference'];
/** A listing reads every file; a folder of thousands of runs is cut here. */
const MAX_FILES = 200;
const FILE_NAME = /^(?:reference\/)?[A-Za-z0-9_-][A-Za-z0-9_.-]{0,200}\.json$/;
/** `latest.json` in any folder points at a run; it is not one. */
const POINTER = 'latest.json';
/** Errors that mean "the process is out of descriptors", not "no such file". */
const OUT_OF_DESCRIPTORS = new Set(['EMFILE', 'ENFILE']);

/** The one file-system call a test may replace (to run out of descriptors on demand). */
export interface ResultsIo {
  readdir(folder: string): Promise<string[]>;
}

const NODE_IO: ResultsIo = { readdir: (folder) => readdir(folder) };

export function mountResultsRoutes(app: express.Express, resultsDir: string, io: ResultsIo = NODE_IO): void {
  const root = path.resolve(resultsDir);

  // `app.use`, not `app.get('/:file')`: express decodes a route parameter before
  // any handler runs, and a malformed escape (`%E0%A4%A`) then reached the error
  // handler as a 500 with a stack. Here the name is decoded where it is checked.
  app.use('/api/lab/results', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    const answer = req.path === '/' ? sendListing(res, root, io) : sendFile(res, root, req.path.slice(1));
    answer.catch((error: unknown) => sendError(res, error));
  });
}

async function sendListing(res: express.Response, root: string, io: ResultsIo): Promise<void> {
  res.json(await listResults(root, io));
}

// The file name may hold one slash (`reference/x.json`), sent URL-encoded or not.
async function sendFile(res: express.Response, root: string, encoded: string): Promise<void> {
  const file = checkFileName(decodeName(encoded));
  const text = await readRealFile(root, file);
  if (text === null) {
    sendError(res, new LabError('not_found', `no results file ${file} in results/`));
    return;
  }
  // Sent as written, even when empty or corrupt: the dashboard explains it.
  res.type('application/json').send(text);
}

function decodeName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new LabError('bad_request', 'the results file name is not valid percent-encoding (UTF-8)');
  }
}

export function checkFileName(value: unknown): string {
  if (typeof value !== 'string' || !FILE_NAME.test(value) || value.includes('..')) {
    throw new LabError('bad_request', 'a results file is <name>.json or reference/<name>.json of A-Z a-z 0-9 _ . -');
  }
  return value;
}

/** An fs failure as the client should hear it: out of descriptors is the server's, and temporary. */
function fsFailure(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code && OUT_OF_DESCRIPTORS.has(code)) {
    return new LabError('unavailable', `the server has run out of file descriptors (${code}): try again shortly`, 1);
  }
  return error;
}

function isAbsence(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EISDIR';
}

/**
 * The text of `file` if it is a regular file inside `root` reached through no
 * symlink at all (neither the file nor a folder on the way); null otherwise.
 */
async function readRealFile(root: string, file: string): Promise<string | null> {
  try {
    const realRoot = await realpath(root);
    const full = path.join(realRoot, file);
    if (!full.startsWith(realRoot + path.sep)) return null;
    const info = await lstat(full);
    if (!info.isFile() || (await realpath(full)) !== full) return null;
    // O_NOFOLLOW: a file swapped for a symlink after the checks is refused, not followed.
    const handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (isAbsence(error)) return null;
    throw fsFailure(error);
  }
}

async function readFolder(io: ResultsIo, folder: string): Promise<string[]> {
  try {
    return await io.readdir(folder);
  } catch (error) {
    // A missing folder (no reference/ yet) holds no runs; anything else is said.
    if (isAbsence(error)) return [];
    throw fsFailure(error);
  }
}

export async function listResults(root: string, io: ResultsIo = NODE_IO): Promise<ResultsListing> {
  const names: string[] = [];
  for (const folder of ['', ...SUBFOLDERS]) {
    for (const entry of await readFolder(io, path.join(root, folder))) {
      const file = folder ? `${folder}/${entry}` : entry;
      if (entry !== POINTER && FILE_NAME.test(file)) names.push(file);
    }
  }
  const latest = await readLatestPointer(root);
  const files: ResultsFileEntry[] = [];
  // Run ids are UTC timestamps: the newest names first, before the cut.
  for (const file of names.sort(byNameNewestFirst).slice(0, MAX_FILES)) {
    const entry = await describeFile(root, file, file === latest);
    if (entry) files.push(entry);
  }
  files.sort((a, b) => when(b).localeCompare(when(a)) || byNameNewestFirst(a.file, b.file));
  return { files };
}

/** A run's own date when it has one, else the file's modification time (both ISO 8601 UTC). */
function when(entry: ResultsFileEntry): string {
  return entry.date || entry.modified;
}

function byNameNewestFirst(a: string, b: string): number {
  return path.basename(b).localeCompare(path.basename(a)) || b.localeCompare(a);
}

async function describeFile(root: string, file: string, latest: boolean): Promise<ResultsFileEntry | null> {
  const text = await readRealFile(root, file);
  if (text === null) return null;
  const info = await lstat(path.join(root, file)).catch((error: unknown) => {
    if (isAbsence(error)) return null;
    throw fsFailure(error);
  });
  if (!info) return null;
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
    const text = await readRealFile(root, POINTER);
    const pointer = JSON.parse(text ?? 'null') as { latest?: unknown } | null;
    return typeof pointer?.latest === 'string' ? pointer.latest : null;
  } catch (error) {
    if (error instanceof LabError) throw error;
    return null;
  }
}
