/**
 * Issue 11's lab knobs in real Chromium: the instructor turns the network
 * profile and the HTTP version in one tab, a student's tab shows both live
 * (read-only), and the panes still connect and receive under the profile and
 * over HTTP/2 (the sse pane's page really speaks h2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import type { LabServer } from '../../src/server/create.ts';
import { collectPageErrors, ensureWebBuild, launchChromium } from './harness.ts';
import { startLab } from './lab-helpers.ts';

const KEY = 'network-knobs-lab-key';
let server: LabServer;
let browser: Browser;
let instructor: Page;
let student: Page;
const errors: string[][] = [];

async function waitForPanes(page: Page): Promise<void> {
  for (const transport of TRANSPORT_NAMES) {
    await page.waitForSelector(`[data-pane=${transport}][data-ready=true] [data-test=connection-state].connected`, { timeout: 30_000 });
  }
}

beforeAll(async () => {
  await ensureWebBuild();
  // A class: loopback is not trusted, so the student's tab (no key) is read-only.
  server = await startLab({ labKey: KEY, loopbackIsInstructor: false }, { tlsPort: 0 });
  // The TLS port's certificate is self-signed (made at start).
  browser = await launchChromium(['--ignore-certificate-errors']);
  instructor = await (await browser.newContext({ viewport: { width: 1400, height: 1400 } })).newPage();
  student = await (await browser.newContext({ viewport: { width: 1400, height: 1400 } })).newPage();
  errors.push(collectPageErrors(instructor), collectPageErrors(student));
  await instructor.goto(`${server.url}/#/lab?key=${KEY}`);
  await student.goto(`${server.url}/#/lab`);
  await waitForPanes(instructor);
  await waitForPanes(student);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function arrivals(page: Page, transport: string): Promise<string[]> {
  return page.$$eval(`[data-pane=${transport}] [data-test=arrival] .body`, (nodes) => nodes.map((node) => node.textContent ?? ''));
}

async function sendAndWait(page: Page, text: string): Promise<void> {
  await page.fill('[data-test=lab-draft]', text);
  await page.click('[data-test=lab-send]');
  for (const transport of TRANSPORT_NAMES) {
    await expect.poll(() => arrivals(page, transport), { timeout: 20_000, message: `${transport} pane` }).toContain(text);
  }
}

/** The iframe of a pane, once it is loaded from `origin`. */
async function paneFrame(page: Page, transport: string, origin: RegExp): Promise<Frame> {
  await expect.poll(() => page.getAttribute(`[data-frame=${transport}]`, 'src'), { timeout: 10_000 }).toMatch(origin);
  const handle = await page.waitForSelector(`[data-frame=${transport}]`);
  const frame = await handle.contentFrame();
  if (!frame) throw new Error(`the ${transport} pane has no frame`);
  return frame;
}

describe('network and HTTP version knobs in two tabs', () => {
  it('shows the student the knobs read-only, with compression and how to get HTTP/2', async () => {
    expect(await student.isDisabled('[data-knob=profile]')).toBe(true);
    expect(await student.isDisabled('[data-knob=jitter]')).toBe(true);
    expect(await student.isDisabled('[data-knob=http-version]')).toBe(true);
    expect(await instructor.isDisabled('[data-knob=profile]')).toBe(false);
    expect(await student.textContent('[data-test=compression-state]')).toMatch(/permessage-deflate\s+off.*gzip.*off/s);
  });

  it('a profile set in the instructor\'s tab shows in the student\'s, and every pane still connects under it', { timeout: 60_000 }, async () => {
    await instructor.selectOption('[data-knob=profile]', 'mobile-3g');
    await expect.poll(() => student.inputValue('[data-knob=profile]'), { timeout: 10_000 }).toBe('mobile-3g');
    expect(await student.inputValue('[data-knob=jitter]')).toBe('50');
    expect(await student.inputValue('[data-knob=delay]')).toBe('150');
    expect(await student.textContent('[data-test=conditions-description]')).toMatch(/mobile-3g: 1000 kbps per direction, jitter ±50 ms/);
    // The change cut every pane connection: the panes come back under the profile and receive.
    await sendAndWait(instructor, 'over a 3G link');

    await instructor.fill('[data-knob=stall-rate]', '0');
    await instructor.dispatchEvent('[data-knob=stall-rate]', 'change');
    await expect.poll(() => student.textContent('[data-test=conditions-description]'), { timeout: 10_000 }).toMatch(/mobile-3g \(knobs changed\)/);
    await instructor.selectOption('[data-knob=profile]', 'none');
    await expect.poll(() => student.inputValue('[data-knob=profile]'), { timeout: 10_000 }).toBe('none');
  });

  it('HTTP/2 set in the instructor\'s tab moves the student\'s poll, long-poll and SSE panes to h2; ws stays', { timeout: 90_000 }, async () => {
    await instructor.selectOption('[data-knob=http-version]', '2');
    await expect.poll(() => student.inputValue('[data-knob=http-version]'), { timeout: 10_000 }).toBe('2');
    for (const page of [instructor, student]) {
      const frame = await paneFrame(page, 'sse', /^https:/);
      await expect.poll(() => frame.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol)
        .catch(() => ''), { timeout: 20_000 }).toBe('h2');
      expect(await page.getAttribute('[data-frame=ws]', 'src')).toMatch(/^http:/);
      await waitForPanes(page);
    }
    await sendAndWait(student, 'over HTTP/2');
    await student.selectOption('[data-test=wire-transport]', 'sse');
    await student.waitForSelector('[data-test=wire-encrypted]');

    await instructor.selectOption('[data-knob=http-version]', '1.1');
    await paneFrame(student, 'sse', /^http:/);
    await waitForPanes(student);
    expect(errors.flat()).toEqual([]);
  });
});
