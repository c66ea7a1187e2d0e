/**
 * What every browser test needs: Debian's Chromium driven by playwright-core,
 * the web app built, and a real lab server on 127.0.0.1 port 0 with the lab's
 * routes mounted. Chromium missing is a failure with the fix, never a skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startLabServer } from '../../src/server/create.ts';
import type { LabServer } from '../../src/server/create.ts';
import { createLabMount } from '../../src/lab/mount.ts';
import type { ServerOptions } from '../../src/config.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const DIST_INDEX = path.join(REPO, 'web/dist/index.html');
const BUILD_LOCK = path.join(REPO, 'web/.build-lock');
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 180_000;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: the browser tests need it. Install it with: sudo apt-get install chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

/**
 * Builds web/dist when it is missing (`npm test` builds it first; this covers
 * `npx vitest run test/browser`). Test files run in parallel, so one builds
 * under a lock directory and the others wait for its index.html.
 */
export async function ensureWebBuild(): Promise<void> {
  if (existsSync(DIST_INDEX)) return;
  let owner = false;
  const lock = statSync(BUILD_LOCK, { throwIfNoEntry: false });
  if (lock && Date.now() - lock.mtimeMs > STALE_LOCK_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
  try {
    mkdirSync(BUILD_LOCK);
    owner = true;
  } catch {
    // Another test file is building.
  }
  if (owner) {
    try {
      execFileSync(process.execPath, [path.join(REPO, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'],
        { cwd: REPO, stdio: 'inherit' });
    } finally {
      rmSync(BUILD_LOCK, { recursive: true, force: true });
    }
    return;
  }
  const deadline = Date.now() + 120_000;
  while (!existsSync(DIST_INDEX) || existsSync(BUILD_LOCK)) {
    if (Date.now() > deadline) throw new Error('web/dist was not built within 120 s: run npm run build:web');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function startServer(resultsDir?: string, options: Partial<ServerOptions> = {}): Promise<LabServer> {
  return startLabServer({ port: 0, host: '127.0.0.1', log: false, ...options, mount: createLabMount({ resultsDir }) });
}

/** Fails the test on any error the page throws (a broken bundle, a Vue warning that throws). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Set by `npm run screenshots`: only then do the browser tests write the README's pictures. */
export const SCREENSHOTS_ENV = 'LAB_SCREENSHOTS';
let scratch: string | undefined;

/**
 * Where a browser test saves its screenshot. Tests never modify tracked files,
 * so a plain `npm test` writes to a temporary folder; `npm run screenshots`
 * (which sets LAB_SCREENSHOTS=1) refreshes docs/screenshots/*.png.
 */
export function screenshotPath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env[SCREENSHOTS_ENV] === '1') {
    mkdirSync(path.join(REPO, 'docs/screenshots'), { recursive: true });
    return path.join(REPO, 'docs/screenshots', `${name}.png`);
  }
  scratch ??= mkdtempSync(path.join(tmpdir(), 'lab-screenshots-'));
  return path.join(scratch, `${name}.png`);
}
