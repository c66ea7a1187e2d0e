/**
 * Records the request headers Debian's Chromium sends for a same-origin
 * `fetch` GET, into bench/headers/browser-fetch.json (the `browser` profile).
 *
 * Re-record (after a Chromium upgrade, say):
 *   npx tsx bench/headers/record-browser.ts
 * then review the diff of bench/headers/browser-fetch.json and commit it.
 * Needs /usr/bin/chromium (Debian: `apt-get install chromium`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

export interface RecordedHeaders {
  /** Header name/value pairs exactly as they arrived, in order (from node's rawHeaders). */
  rawHeaders: [string, string][];
  requestLine: string;
  userAgentNormalised: boolean;
  browser: string;
  recordedAt: string;
  note: string;
}

const PAGE = '<!doctype html><title>record</title>';
const POLL_PATH = '/api/poll?topics=room:lobby&cursor=';

export async function recordBrowserHeaders(): Promise<RecordedHeaders> {
  let captured: { raw: string[]; line: string } | null = null;
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/poll')) {
      captured = { raw: req.rawHeaders, line: `${req.method} ${req.url} HTTP/${req.httpVersion}` };
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"messages":[],"gaps":[],"cursor":"","more":false}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.evaluate(async (path) => {
      await (await fetch(path)).text();
    }, POLL_PATH);
    const version = browser.version();
    if (!captured) throw new Error('the browser made no poll request');
    const { raw, line } = captured as { raw: string[]; line: string };
    const pairs: [string, string][] = [];
    let normalised = false;
    for (let i = 0; i < raw.length; i += 2) {
      let value = raw[i + 1];
      // Headless mode says "HeadlessChrome" where a person's browser says "Chrome":
      // the profile stands for the person's browser (8 bytes shorter).
      if (/^user-agent$/i.test(raw[i]) && value.includes('HeadlessChrome/')) {
        value = value.replace('HeadlessChrome/', 'Chrome/');
        normalised = true;
      }
      pairs.push([raw[i], value]);
    }
    return {
      rawHeaders: pairs,
      requestLine: line,
      userAgentNormalised: normalised,
      browser: `Chromium ${version} (Debian, ${CHROMIUM_PATH})`,
      recordedAt: new Date().toISOString(),
      note: 'Recorded by bench/headers/record-browser.ts: a same-origin fetch() GET from a page on 127.0.0.1. Re-record with `npx tsx bench/headers/record-browser.ts`.',
    };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const recorded = await recordBrowserHeaders();
  const target = fileURLToPath(new URL('./browser-fetch.json', import.meta.url));
  writeFileSync(target, `${JSON.stringify(recorded, null, 2)}\n`);
  console.log(`wrote ${target}: ${recorded.rawHeaders.length} headers from ${recorded.browser}`);
}
