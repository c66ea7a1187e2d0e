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
import { afterAll, beforeAll } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
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

/** `extraArgs`: e.g. `--ignore-certificate-errors` for the lab's self-signed TLS port. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: the browser tests need it. Install it with: sudo apt-get install chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', ...extraArgs],
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

/** One Chromium and one lab server shared by the tests of a file; see useBrowserAndServer. */
export interface BrowserAndServer {
  readonly browser: Browser;
  /** The server now running (restartServer replaces it). */
  readonly server: LabServer;
  /** A context of its own (cookies, storage), closed after the file's tests. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A page in a new context of its own. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** Closes the server and keeps its port for restartServer. */
  stopServer(): Promise<void>;
  /** Starts the server again on the port it had, with the same options. */
  restartServer(): Promise<void>;
}

/**
 * Registers the file's beforeAll/afterAll: build the web app, start a lab
 * server and Chromium; afterwards close every context, the browser and the
 * server. `resultsDir` is asked for when the server starts, so an earlier
 * beforeAll may create it. Read `server` when a test runs, not at import.
 */
export function useBrowserAndServer(setup: { resultsDir?: () => string; options?: Partial<ServerOptions> } = {}): BrowserAndServer {
  let browser: Browser | undefined;
  let server: LabServer | undefined;
  let port = 0;
  const contexts: BrowserContext[] = [];
  const start = async (): Promise<void> => {
    server = await startServer(setup.resultsDir?.(), { ...setup.options, port });
  };
  beforeAll(async () => {
    await ensureWebBuild();
    await start();
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });
  const fixture: BrowserAndServer = {
    get browser() {
      if (!browser) throw new Error('Chromium is not running: use the fixture inside a test');
      return browser;
    },
    get server() {
      if (!server) throw new Error('the lab server is not running: use the fixture inside a test, and not between stopServer and restartServer');
      return server;
    },
    async newContext(options) {
      const context = await fixture.browser.newContext(options);
      contexts.push(context);
      return context;
    },
    async newPage(options) {
      return (await fixture.newContext(options)).newPage();
    },
    async stopServer() {
      const stopping = fixture.server;
      port = stopping.port;
      server = undefined;
      await stopping.close();
    },
    restartServer: start,
  };
  return fixture;
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
