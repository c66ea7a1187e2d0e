/**
 * The dashboard in real Chromium: every chart of the shared chart module for
 * every scenario of the fixture, two runs side by side, and a clear message
 * for a missing, empty, corrupt or old-schema file.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chartConfigsFor } from '../../bench/report/charts.ts';
import { validateResults } from '../../src/results/validate.ts';
import type { BenchResults } from '../../src/results/schema.ts';
import type { LabServer } from '../../src/server/create.ts';
import { REPO, collectPageErrors, ensureWebBuild, launchChromium, screenshotPath, startServer } from './harness.ts';

const FIXTURE = path.join(REPO, 'test/fixtures/results-small.json');
let browser: Browser;
let server: LabServer;
let page: Page;
let errors: string[];
let resultsDir: string;
let fixture: BenchResults;

beforeAll(async () => {
  const checked = validateResults(readFileSync(FIXTURE, 'utf8'));
  if (!checked.ok) throw new Error(`the fixture does not validate: ${checked.reason}`);
  fixture = checked.results;
  resultsDir = mkdtempSync(path.join(tmpdir(), 'lab-results-'));
  copyFileSync(FIXTURE, path.join(resultsDir, 'fixture-small.json'));
  copyFileSync(FIXTURE, path.join(resultsDir, 'fixture-copy.json'));
  writeFileSync(path.join(resultsDir, 'empty.json'), '');
  writeFileSync(path.join(resultsDir, 'corrupt.json'), '{"schemaVersion": 1, "runId": "cut-short", "scen');
  writeFileSync(path.join(resultsDir, 'old.json'), JSON.stringify({ runId: 'before-versions', scenarios: [] }));
  writeFileSync(path.join(resultsDir, 'latest.json'), JSON.stringify({ latest: 'fixture-small.json', runId: 'fixture-small', date: '' }));
  // As on a fresh clone: the reference run and its own pointer file.
  mkdirSync(path.join(resultsDir, 'reference'));
  const older = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { runId: string; context: { date: string } };
  older.runId = 'older-reference';
  older.context.date = '2020-01-01T00:00:00.000Z';
  writeFileSync(path.join(resultsDir, 'reference', '2020-01-01T00-00-00Z.json'), JSON.stringify(older));
  writeFileSync(path.join(resultsDir, 'reference', 'latest.json'), JSON.stringify({ latest: '2020-01-01T00-00-00Z.json' }));

  await ensureWebBuild();
  server = await startServer(resultsDir);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  errors = collectPageErrors(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (resultsDir) rmSync(resultsDir, { recursive: true, force: true });
});

async function open(query: string): Promise<void> {
  await page.goto(`${server.url}/#/dashboard${query}`);
  await page.reload();
}

describe('dashboard in Chromium', () => {
  it('opens the latest run and draws every chart of every scenario', async () => {
    await open('');
    const run = '[data-run="fixture-small.json"]';
    await page.waitForSelector(run, { timeout: 10_000 });
    for (const scenario of fixture.scenarios) {
      const specs = chartConfigsFor(fixture, scenario.name);
      const section = `${run} [data-scenario="${scenario.name}"]`;
      for (const spec of specs) {
        const chart = `${section} [data-chart="${spec.id}"]`;
        await page.waitForSelector(`${chart}[data-rendered="true"]`, { timeout: 10_000 });
        expect(await page.textContent(`${chart} [data-test=caption]`)).toBe(spec.caption);
        // A drawn chart has a sized canvas (chart.js sizes it on render).
        expect(await page.$eval(`${chart} canvas`, (canvas) => (canvas as HTMLCanvasElement).width)).toBeGreaterThan(0);
      }
      expect(await page.$$(`${section} [data-chart]`)).toHaveLength(specs.length);
      const projectionRows = await page.$$(`${section} [data-test=projection-table] tbody tr`);
      expect(projectionRows).toHaveLength(scenario.transports.length);
      expect(await page.$$(`${section} [data-test=theory-table] tbody tr`)).toHaveLength(scenario.transports.length);
    }
    await page.screenshot({ path: screenshotPath('dashboard') });
    expect(errors).toEqual([]);
  });

  it('shows two runs side by side', async () => {
    await open('?run=fixture-small.json&compare=fixture-copy.json');
    await page.waitForSelector('[data-run="fixture-small.json"] [data-rendered="true"]', { timeout: 10_000 });
    await page.waitForSelector('[data-run="fixture-copy.json"] [data-rendered="true"]', { timeout: 10_000 });
    const boxes = await Promise.all(['fixture-small.json', 'fixture-copy.json']
      .map((file) => page.$eval(`[data-run="${file}"]`, (node) => node.getBoundingClientRect().left)));
    expect(boxes[1]).toBeGreaterThan(boxes[0]);
  });

  const cases: [string, string, RegExp][] = [
    ['nowhere.json', 'missing', /missing or empty/],
    ['empty.json', 'missing', /missing or empty/],
    ['corrupt.json', 'corrupt', /corrupt/],
    ['old.json', 'old-schema', /older version/],
  ];
  for (const [file, failure, message] of cases) {
    it(`explains a ${failure} file (${file}) instead of showing a blank page`, async () => {
      await open(`?run=${file}`);
      const problem = `[data-run="${file}"] [data-test=run-problem]`;
      await page.waitForSelector(problem, { timeout: 10_000 });
      expect(await page.getAttribute(problem, 'data-failure')).toBe(failure);
      expect(await page.textContent(problem)).toMatch(message);
    });
  }

  it('lists the runs with their state', async () => {
    await open('');
    await page.waitForSelector('[data-file="corrupt.json"]');
    expect(await page.textContent('[data-file="corrupt.json"]')).toContain('corrupt');
    expect(await page.textContent('[data-file="fixture-small.json"]')).toContain('latest');
    expect(await page.$('[data-file="latest.json"]')).toBeNull();
  });

  it('lists runs only, newest first: a pointer file in reference/ is not a run', async () => {
    await open('');
    await page.waitForSelector('[data-file="reference/2020-01-01T00-00-00Z.json"]');
    expect(await page.$('[data-file="reference/latest.json"]')).toBeNull();
    const order = await page.$$eval('[data-file]', (items) => items.map((item) => item.getAttribute('data-file')));
    expect(order.indexOf('fixture-small.json')).toBeLessThan(order.indexOf('reference/2020-01-01T00-00-00Z.json'));
    expect(order.at(-1)).toBe('reference/2020-01-01T00-00-00Z.json');
    expect(await page.textContent('[data-file="reference/2020-01-01T00-00-00Z.json"]')).not.toContain('old-schema');
  });
});
