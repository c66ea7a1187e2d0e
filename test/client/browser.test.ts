import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import { startServer } from '../behaviour/harness.ts';
import { launchChromium } from '../browser/harness.ts';
import type { BrowserRun, ConditionalRun } from './browser-entry.ts';

/**
 * The clients in a real browser: bundled by Vite as the web app bundles them,
 * run in Debian's Chromium on the browser's own WebSocket and EventSource
 * (no `ws`, no `eventsource` package), against the page's own origin.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function bundleEntry(): Promise<string> {
  const output = await build({
    configFile: false,
    root: ROOT,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: { entry: 'test/client/browser-entry.ts', formats: ['es'], fileName: 'entry' },
      // One file: the page loads a single script (the lazy ws/eventsource imports are never taken in a browser).
      rolldownOptions: { output: { codeSplitting: false } },
    },
  });
  const results = Array.isArray(output) ? output : [output];
  for (const result of results) {
    if ('output' in result) {
      const chunk = result.output.find((item) => item.type === 'chunk');
      if (chunk && chunk.type === 'chunk') return chunk.code;
    }
  }
  throw new Error('vite produced no chunk');
}

describe('clients in Chromium', () => {
  let server: LabServer;
  let browser: Browser;

  beforeAll(async () => {
    const script = await bundleEntry();
    server = await startServer({
      mount: (app) => {
        app.get('/client-test', (_req, res) => {
          res.type('html').send('<!doctype html><script type="module" src="/client-test.js"></script>');
        });
        app.get('/client-test.js', (_req, res) => {
          res.type('text/javascript').send(script);
        });
      },
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('each transport subscribes, receives in order and reports a refusal with its code', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/client-test`);
    await page.waitForFunction(() => 'runClient' in globalThis);
    for (const transport of TRANSPORT_NAMES) {
      const result = await page.evaluate(
        ([name, tag]) => (globalThis as unknown as { runClient: (t: string, g: string) => Promise<BrowserRun> }).runClient(name, tag),
        [transport, Math.random().toString(36).slice(2, 8)] as const,
      );
      expect(result.nativeWebSocket && result.nativeEventSource).toBe(true);
      expect(result.bodies).toEqual(['one', 'two', '<img src=x onerror=alert(1)>']);
      expect(result.seqs).toEqual([1, 2, 3]);
      expect(result.states.slice(0, 2)).toEqual(['connecting', 'connected']);
      expect(result.forbiddenCode, transport).toBe('forbidden');
    }
    await page.close();
  }, 60_000);

  it('a conditional poll client gets the 304 itself: fetch with an explicit If-None-Match and no-store passes it through', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/client-test`);
    await page.waitForFunction(() => 'runConditional' in globalThis);
    const result = await page.evaluate(
      (tag) => (globalThis as unknown as { runConditional: (g: string) => Promise<ConditionalRun> }).runConditional(tag),
      Math.random().toString(36).slice(2, 8),
    );
    expect(result.bodies).toEqual(['after 304']);
    expect(result.statuses.filter((status) => status === 304).length).toBeGreaterThanOrEqual(3);
    expect(result.statuses.every((status) => status === 200 || status === 304)).toBe(true);
    // Every poll after the first sent the cursor as the tag (the first has no cursor yet).
    expect(result.ifNoneMatch[0]).toBeNull();
    expect(result.ifNoneMatch.slice(1).every((tag) => tag !== null && tag.startsWith('"v1~'))).toBe(true);
    expect(result.ifNoneMatch.at(-1)).toBe(`"${result.cursor}"`);
    await page.close();
  }, 60_000);
});
