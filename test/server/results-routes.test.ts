/**
 * The dashboard's results routes against a real server and a real folder:
 * only real files inside results/ are served or listed, the pointer files are
 * never runs, the newest run comes first, malformed input is a 400 with its
 * code (no stack in the log), and a process out of descriptors says EMFILE
 * with a 503 instead of an empty list.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLabServer, type LabServer } from '../../src/server/create.ts';
import { createLabMount } from '../../src/lab/mount.ts';
import { listResults, mountResultsRoutes, type ResultsIo } from '../../src/lab/results-routes.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

const RUN = (runId: string, date: string): string => JSON.stringify({ schemaVersion: 0, runId, context: { date }, scenarios: [] });

let dir: string;
let outside: string;
let server: LabServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'results-routes-'));
  outside = mkdtempSync(path.join(tmpdir(), 'results-outside-'));
  writeFileSync(path.join(outside, 'secret.json'), '{"secret":"outside results/"}');
  writeFileSync(path.join(dir, '2026-11-20T10-00-00Z.json'), RUN('2026-11-20T10-00-00Z', '2026-11-20T10:00:00.000Z'));
  writeFileSync(path.join(dir, '2026-11-24T10-00-00Z.json'), RUN('2026-11-24T10-00-00Z', '2026-11-24T10:00:00.000Z'));
  writeFileSync(path.join(dir, 'latest.json'), JSON.stringify({ latest: '2026-11-24T10-00-00Z.json' }));
  mkdirSync(path.join(dir, 'reference'));
  writeFileSync(path.join(dir, 'reference', '2026-11-22T04-15-29Z.json'), RUN('2026-11-22T04-15-29Z', '2026-11-22T04:15:29.000Z'));
  writeFileSync(path.join(dir, 'reference', 'latest.json'), JSON.stringify({ latest: '2026-11-22T04-15-29Z.json' }));
  // These runs fail schema validation (schemaVersion 0), so the listing orders
  // them by modification time: give each its own run date, not "written just now".
  for (const [file, date] of [
    ['2026-11-20T10-00-00Z.json', '2026-11-20T10:00:00Z'],
    ['2026-11-24T10-00-00Z.json', '2026-11-24T10:00:00Z'],
    ['reference/2026-11-22T04-15-29Z.json', '2026-11-22T04:15:29Z'],
  ]) utimesSync(path.join(dir, file), new Date(date), new Date(date));
  symlinkSync('/etc/passwd', path.join(dir, 'passwd.json'));
  symlinkSync(path.join(outside, 'secret.json'), path.join(dir, 'linked.json'));
  symlinkSync(path.join(outside, 'secret.json'), path.join(dir, 'reference', 'linked.json'));
  server = await startLabServer({ port: 0, host: '127.0.0.1', serveWeb: false, log: false, mount: createLabMount({ resultsDir: dir }) });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function get(pathname: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${server.url}${pathname}`);
  return { status: res.status, body: await res.text() };
}

describe('results routes', () => {
  it('serves a run as written', async () => {
    const run = await get('/api/lab/results/2026-11-20T10-00-00Z.json');
    expect(run.status).toBe(200);
    expect(JSON.parse(run.body).runId).toBe('2026-11-20T10-00-00Z');
    const reference = await get(`/api/lab/results/${encodeURIComponent('reference/2026-11-22T04-15-29Z.json')}`);
    expect(reference.status).toBe(200);
  });

  it('never follows a symlink: not to /etc/passwd, not out of results/', async () => {
    for (const file of ['passwd.json', 'linked.json', encodeURIComponent('reference/linked.json')]) {
      const answer = await get(`/api/lab/results/${file}`);
      expect(answer.status, file).toBe(404);
      expect(answer.body).not.toContain('root:');
      expect(answer.body).not.toContain('secret');
      expect(JSON.parse(answer.body).error.code).toBe('not_found');
    }
    const listed = (await listResults(dir)).files.map((entry) => entry.file);
    expect(listed).not.toContain('passwd.json');
    expect(listed).not.toContain('linked.json');
    expect(listed).not.toContain('reference/linked.json');
  });

  it('lists runs only, newest first: no pointer file in any folder', async () => {
    const answer = await get('/api/lab/results');
    expect(answer.status).toBe(200);
    const files = (JSON.parse(answer.body) as { files: { file: string; latest: boolean }[] }).files;
    expect(files.map((entry) => entry.file)).toEqual([
      '2026-11-24T10-00-00Z.json',
      'reference/2026-11-22T04-15-29Z.json',
      '2026-11-20T10-00-00Z.json',
    ]);
    expect(files.filter((entry) => entry.latest).map((entry) => entry.file)).toEqual(['2026-11-24T10-00-00Z.json']);
  });

  it('answers malformed percent-encoding with 400 bad_request and no stack in the log', async () => {
    const logged: unknown[][] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
    const answer = await get('/api/lab/results/%E0%A4%A');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error.code).toBe('bad_request');
    expect(answer.body).not.toMatch(/at .*\.ts:\d+/);
    expect(logged.flat().join(' ')).not.toMatch(/\n\s+at /);
    expect(logged.length).toBeLessThanOrEqual(1);
  });

  it('says EMFILE (503 unavailable) when the process really runs out of descriptors', async () => {
    // In a child process, so that only the child runs out.
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./results-emfile-child.ts', import.meta.url)), dir],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    const outcome = JSON.parse(out.trim()) as { held: number; code?: string; status?: number; message?: string; listed?: number };
    expect(outcome.held).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ code: 'unavailable', status: 503 });
    expect(outcome.message).toMatch(/EMFILE/);
  });

  it('answers 503 unavailable with Retry-After over HTTP when descriptors run out', async () => {
    const io: ResultsIo = {
      readdir: async (folder) => {
        if (folder.endsWith('reference')) return readdir(folder);
        throw Object.assign(new Error(`EMFILE: too many open files, scandir '${folder}'`), { code: 'EMFILE', errno: -24 });
      },
    };
    const listing = listResults(dir, io);
    await expect(listing).rejects.toMatchObject({ code: 'unavailable', status: 503 });
    await expect(listing).rejects.toThrow(/EMFILE/);

    // And through HTTP: the route says so with its code and a Retry-After.
    const app = express();
    mountResultsRoutes(app, dir, io);
    const http = app.listen(0, '127.0.0.1');
    await once(http, 'listening');
    try {
      const { port } = http.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/lab/results`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unavailable');
      expect(body.error.message).toMatch(/EMFILE/);
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});
