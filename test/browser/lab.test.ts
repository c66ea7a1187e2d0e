/**
 * The live lab in real Chromium: four panes, each a real client of its
 * transport behind its own delay proxy, one message typed once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import type { LabServer } from '../../src/server/create.ts';
import { collectPageErrors, ensureWebBuild, launchChromium, screenshotPath, startServer } from './harness.ts';

let browser: Browser;
let server: LabServer;
let page: Page;
let errors: string[];

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  errors = collectPageErrors(page);
  await page.goto(`${server.url}/#/lab`);
  for (const transport of TRANSPORT_NAMES) {
    await page.waitForSelector(`[data-pane=${transport}][data-ready=true] [data-test=connection-state].connected`, { timeout: 15_000 });
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function arrivals(transport: string): Promise<string[]> {
  return page.$$eval(`[data-pane=${transport}] [data-test=arrival] .body`, (nodes) => nodes.map((node) => node.textContent ?? ''));
}

async function sendAndWait(text: string): Promise<void> {
  await page.fill('[data-test=lab-draft]', text);
  await page.click('[data-test=lab-send]');
  for (const transport of TRANSPORT_NAMES) {
    // On failure, say what the pane and the page showed: a state, an error, a gap.
    const shown = (): Promise<string> => page.evaluate((name) =>
      `${document.querySelector(`[data-pane=${name}]`)?.textContent} / ${document.querySelector('[data-test=lab-error]')?.textContent ?? ''}`, transport);
    await expect.poll(() => arrivals(transport), { timeout: 10_000, message: `${transport} pane` }).toContain(text)
      .catch(async (error: Error) => {
        throw new Error(`${error.message}; the page showed: ${await shown()}`);
      });
  }
}

/** The latency a pane shows for a message body, in ms. */
async function latencyOf(transport: string, text: string): Promise<number> {
  const rows = await page.$$eval(`[data-pane=${transport}] [data-test=arrival]`, (nodes) =>
    nodes.map((node) => [node.querySelector('.body')?.textContent ?? '', node.querySelector('.mono')?.textContent ?? '']));
  const row = rows.find(([body]) => body === text);
  return Number.parseFloat(row?.[1] ?? 'NaN');
}

describe('live lab in Chromium', () => {
  it('shows one message in all four panes and counts poll requests', async () => {
    await sendAndWait('race one');
    for (const transport of TRANSPORT_NAMES) expect(await latencyOf(transport, 'race one')).toBeGreaterThanOrEqual(0);
    await expect.poll(async () => Number(await page.textContent('[data-counter=poll] [data-test=requests-since-open]')),
      { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.$$eval('[data-test=timeline] .mark', (nodes) => nodes.length)).toBeGreaterThanOrEqual(4);
    expect(errors).toEqual([]);
  });

  it('puts the delay knob on every pane: no pane gets a message sooner than the delay', async () => {
    await page.fill('[data-knob=delay]', '150');
    await page.dispatchEvent('[data-knob=delay]', 'change');
    await expect.poll(async () => (await fetch(`${server.url}/api/lab/network`).then((r) => r.json())).oneWayDelayMs).toBe(150);
    await sendAndWait('after the delay');
    for (const transport of TRANSPORT_NAMES) {
      expect(await latencyOf(transport, 'after the delay')).toBeGreaterThanOrEqual(150);
    }
    await page.fill('[data-knob=delay]', '0');
    await page.dispatchEvent('[data-knob=delay]', 'change');
  });

  it('shows the bytes of a poll exchange and of a WebSocket frame with its header marked', async () => {
    await page.selectOption('[data-test=wire-transport]', 'poll');
    await expect.poll(() => page.textContent('[data-test=wire-request]').catch(() => ''), { timeout: 10_000 })
      .toContain('GET /api/poll?');
    expect(await page.textContent('[data-test=wire-response]')).toContain('HTTP/1.1 200');
    await page.screenshot({ path: screenshotPath('lab'), fullPage: true });

    await page.selectOption('[data-test=wire-transport]', 'ws');
    await sendAndWait('a frame to inspect');
    const frame = '[data-frame-direction=down]:has-text("a frame to inspect")';
    await page.waitForSelector(frame, { timeout: 10_000 });
    // A server → client text frame under 126 bytes of payload has a 2-byte header; longer ones 4.
    const headerBytes = await page.$$eval(`${frame} .hex .header`, (nodes) => nodes.map((n) => n.textContent));
    expect(headerBytes.length === 2 || headerBytes.length === 4).toBe(true);
    expect(headerBytes[0]).toBe('81');
  });

  it('sends a burst of three that every pane receives in order', async () => {
    await page.fill('[data-test=lab-draft]', 'burst');
    await page.click('[data-test=lab-burst]');
    const burst = ['burst (1/3)', 'burst (2/3)', 'burst (3/3)'];
    for (const transport of TRANSPORT_NAMES) {
      // Newest first in a pane's list.
      await expect.poll(async () => (await arrivals(transport)).slice(0, 3).reverse(), { timeout: 10_000 }).toEqual(burst);
    }
  });

  it('recovers every pane after all connections are cut', async () => {
    await page.click('[data-knob=drop]');
    await sendAndWait('after the cut');
    expect(errors).toEqual([]);
  });

  it('reloads only the poll pane with a new interval, clamped to the allowed range', async () => {
    const longpollSrc = await page.getAttribute('[data-frame=longpoll]', 'src');
    await page.fill('[data-knob=poll-interval]', '5');
    await page.dispatchEvent('[data-knob=poll-interval]', 'change');
    await expect.poll(() => page.getAttribute('[data-frame=poll]', 'src')).toContain('pollIntervalMs=100');
    expect(await page.inputValue('[data-knob=poll-interval]')).toBe('100');
    expect(await page.getAttribute('[data-frame=longpoll]', 'src')).toBe(longpollSrc);
    await page.waitForSelector('[data-pane=poll][data-ready=true] [data-test=connection-state].connected', { timeout: 15_000 });
    await sendAndWait('after the reload');
  });
});
