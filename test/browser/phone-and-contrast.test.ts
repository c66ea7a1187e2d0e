/**
 * The web app on a phone (390 px) and in front of a class: no page scrolls
 * sideways, the lab's panes are wide enough to read, and axe-core (injected
 * into the page) finds no text below 4.5:1 contrast on the chat, the live lab
 * and the dashboard.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { REPO, collectPageErrors, useBrowserAndServer } from './harness.ts';
import { connectAs, send, waitForArrivals, waitForConnected, waitForLabPanes } from './chat-page.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
let resultsDir: string;

// Registered before the server's hooks, so the folder exists when the server starts.
beforeAll(() => {
  resultsDir = mkdtempSync(path.join(tmpdir(), 'lab-phone-'));
  copyFileSync(path.join(REPO, 'test/fixtures/results-small.json'), path.join(resultsDir, 'fixture-small.json'));
  writeFileSync(path.join(resultsDir, 'corrupt.json'), '{"schemaVersion": 1, "runId": "cut-sh');
  writeFileSync(path.join(resultsDir, 'latest.json'), JSON.stringify({ latest: 'fixture-small.json' }));
});

afterAll(() => {
  if (resultsDir) rmSync(resultsDir, { recursive: true, force: true });
});

const env = useBrowserAndServer({ resultsDir: () => resultsDir });

function open(viewport: { width: number; height: number }): Promise<Page> {
  return env.newPage({ viewport });
}

/** Pixels the page is wider than its window: 0 when nothing scrolls sideways. */
function sideways(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

interface AxeViolation {
  id: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's colour-contrast rule over the whole page, as "selector: summary" lines. */
async function contrastViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast'] }, resultTypes: ['violations'] });
    return result.violations;
  }) as AxeViolation[];
  return violations.flatMap((v) => v.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary ?? v.id}`));
}

async function chatWithEverything(viewport: { width: number; height: number }, name: string): Promise<Page> {
  const page = await open(viewport);
  await page.goto(`${env.server.url}/#/chat`);
  expect(await contrastViolations(page)).toEqual([]);
  await connectAs(page, name);
  await waitForConnected(page);
  await send(page, `a long line from ${name} ${'that wraps on a small screen '.repeat(4)}`);
  await page.waitForSelector('[data-test=message]', { timeout: 10_000 });
  // An error banner too: a direct message to nobody.
  await page.fill('[data-test=new-peer]', 'nobody-at-all');
  await page.press('[data-test=new-peer]', 'Enter');
  await send(page, 'hello?');
  await page.waitForSelector('[data-test=chat-error]', { timeout: 10_000 });
  return page;
}

describe('on a phone, 390 px wide', () => {
  it('the chat does not scroll sideways and every text reads at 4.5:1', async () => {
    const page = await chatWithEverything(PHONE, 'phone-user');
    const errors = collectPageErrors(page);
    expect(await sideways(page)).toBe(0);
    expect(await contrastViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('the live lab: panes wide enough to read, no sideways scroll, contrast', async () => {
    const page = await open(PHONE);
    await page.goto(`${env.server.url}/#/lab`);
    await waitForLabPanes(page);
    await page.fill('[data-test=lab-draft]', 'phone race');
    await page.click('[data-test=lab-send]');
    await waitForArrivals(page, 'phone race');
    const widths = await page.$$eval('[data-pane]', (panes) => panes.map((pane) => pane.getBoundingClientRect().width));
    for (const width of widths) expect(width).toBeGreaterThan(300);
    expect(await sideways(page)).toBe(0);
    expect(await contrastViolations(page)).toEqual([]);
  });

  it('the dashboard: no sideways scroll, contrast', async () => {
    const page = await open(PHONE);
    await page.goto(`${env.server.url}/#/dashboard`);
    await page.waitForSelector('[data-run="fixture-small.json"] [data-rendered="true"]', { timeout: 10_000 });
    await page.waitForSelector('[data-file="corrupt.json"]');
    expect(await sideways(page)).toBe(0);
    expect(await contrastViolations(page)).toEqual([]);
  });
});

describe('on a projector, 1280 px wide', () => {
  it('the chat and the dashboard read at 4.5:1 too', async () => {
    const chat = await chatWithEverything(DESKTOP, 'projector-user');
    expect(await contrastViolations(chat)).toEqual([]);
    const dashboard = await open(DESKTOP);
    await dashboard.goto(`${env.server.url}/#/dashboard`);
    await dashboard.waitForSelector('[data-run="fixture-small.json"] [data-rendered="true"]', { timeout: 10_000 });
    expect(await contrastViolations(dashboard)).toEqual([]);
  });
});
