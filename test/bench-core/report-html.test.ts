import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { chartIdsFor, renderHtmlReport, writeResults } from '../../bench/report/index.ts';
import { validateResults } from '../../src/results/validate.ts';
import type { BenchResults, LatestPointer } from '../../src/results/schema.ts';
import { makeResultsFixture } from './fixture.ts';
import { withCeilingAndFailures } from './ceiling.ts';

const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'report-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The embedded results, read back out of the page. */
function embedded(html: string): unknown {
  const match = /<script type="application\/json" id="results-data">([\s\S]*?)<\/script>/.exec(html);
  return match ? JSON.parse(match[1]) : undefined;
}

describe('the HTML report', () => {
  const results = makeResultsFixture();

  it('is one file holding the data and chart.js, and no external resource', () => {
    const html = renderHtmlReport(results);
    expect(embedded(html)).toEqual(results);
    expect(html).toContain('Chart.js v4');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    for (const scenario of results.scenarios) {
      for (const id of chartIdsFor(results, scenario.name)) expect(html).toContain(`data-scenario="${scenario.name}" data-chart="${id}"`);
    }
    expect(html).toContain('6.6 / 66 / 665 Mbps');
  });

  it('cannot be broken out of by text in the results', () => {
    const hostile: BenchResults = structuredClone(results);
    hostile.scenarios[0].description = '</script><script>window.pwned = 1</script><img src=x onerror=alert(1)>';
    const html = renderHtmlReport(hostile);
    expect(html).not.toContain('<script>window.pwned');
    expect(html).not.toContain('<img src=x');
    expect(embedded(html)).toEqual(hostile);
  });

  it('renders an interrupted run, with an empty scenario and its errors', () => {
    const interrupted: BenchResults = structuredClone(results);
    interrupted.incomplete = true;
    interrupted.scenarios[1].transports = [];
    interrupted.scenarios[1].incomplete = true;
    interrupted.errors.push({ source: 'server', message: 'exited with code 1', output: 'Error: EADDRINUSE' });
    const html = renderHtmlReport(interrupted);
    expect(html).toContain('This run was interrupted');
    expect(html).toContain('exited with code 1');
    expect(html).toContain('EADDRINUSE');
  });

  it('writes <runId>.json, <runId>.html and latest.json', () => {
    const files = writeResults(results, { dir });
    const written = validateResults(readFileSync(files.json, 'utf8'));
    expect(written.ok && written.results).toEqual(results);
    const pointer = JSON.parse(readFileSync(files.latest, 'utf8')) as LatestPointer;
    expect(pointer).toEqual({ latest: 'fixture-small.json', runId: 'fixture-small', date: results.context.date });
    expect(readFileSync(files.html, 'utf8')).toBe(renderHtmlReport(results));
  });

  it('rejects a run id that is not a safe file name', () => {
    expect(() => writeResults({ ...results, runId: '../escape' }, { dir })).toThrow(/safe file name/);
  });

  it('draws every chart in real Chromium from the file system, with no page error (ceiling and empty scenarios too)', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get install chromium\` (Debian)`);
    }
    const full = withCeilingAndFailures(results);
    const files = writeResults(full, { dir, updateLatest: false });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(files.html).href);
      await page.waitForFunction(() => 'reportStatus' in window);
      const status = await page.evaluate(() => (window as unknown as { reportStatus: unknown }).reportStatus);
      const drawable = full.scenarios.reduce((sum, scenario) => sum + chartIdsFor(full, scenario.name).length, 0);
      expect(drawable).toBeGreaterThan(0);
      expect(status).toEqual({ charts: drawable });
      expect(await page.textContent('#scenario-http-ceiling table')).toContain('clients at T = 1 s');
      // Every canvas has drawn pixels: at least some non-transparent ones.
      const blank = await page.evaluate(() =>
        [...document.querySelectorAll('canvas')].filter((canvas) => {
          const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return false;
          return true;
        }).length,
      );
      expect(blank).toBe(0);
      expect(problems).toEqual([]);
      expect(requests.every((url) => url.startsWith('file:'))).toBe(true);
      await page.screenshot({ path: join(dir, 'report.png'), fullPage: false });
    } finally {
      await browser.close();
    }
  });
});
