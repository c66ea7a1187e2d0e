/**
 * The README's picture of the bench report: the committed reference run's HTML
 * report, opened from the file system, scrolled to the chat scenario's charts.
 * A plain `npm test` proves the reference report draws its charts (and writes
 * the picture to a temporary folder); `npm run screenshots` refreshes
 * docs/screenshots/report.png from it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { collectPageErrors, launchChromium, REPO, screenshotPath } from './harness.ts';

const REFERENCE = path.join(REPO, 'results/reference');

/** The reference run's HTML report, named by results/reference/latest.json. */
function referenceReport(): string {
  const latest = JSON.parse(readFileSync(path.join(REFERENCE, 'latest.json'), 'utf8')) as { latest: string };
  return path.join(REFERENCE, latest.latest.replace(/\.json$/, '.html'));
}

describe('the README picture of the bench report', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the reference run’s chat charts, drawn', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = collectPageErrors(page);
    await page.goto(pathToFileURL(referenceReport()).href);
    await page.waitForFunction(() => 'reportStatus' in window);
    const firstChart = page.locator('canvas[data-scenario="chat"]').first();
    await firstChart.scrollIntoViewIfNeeded();
    // Put the chat section's heading and its first charts in the picture.
    await page.evaluate(() => document.querySelector('#scenario-chat canvas')?.scrollIntoView({ block: 'start' }));
    await page.evaluate(() => window.scrollBy(0, -120));
    const drawn = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLCanvasElement>('canvas[data-scenario="chat"]')].filter((canvas) => {
        const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
        if (!pixels) return false;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
        return false;
      }).length,
    );
    expect(drawn).toBeGreaterThan(0);
    const box = await firstChart.boundingBox();
    // The chart is inside the picture, not below it.
    expect(box).not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y).toBeLessThan(900);
    await page.screenshot({ path: screenshotPath('report') });
    expect(errors).toEqual([]);
  });
});
