/**
 * The live lab in a class (issue 13 "The web app in a class", issue 8 finding
 * 1), in real Chromium: the instructor on the server's machine with the lab
 * key, a student on "another laptop" — the lab opened through 127.0.0.2,
 * forwarded to the server on 127.0.0.1 the way a LAN address reaches a
 * machine (only loopback addresses are bound). The server trusts loopback
 * no more than a server on `--host 0.0.0.0` does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import type { TransportName } from '../../src/protocol/index.ts';
import type { NetworkState } from '../../src/lab/types.ts';
import type { LabServer } from '../../src/server/create.ts';
import { collectPageErrors, ensureWebBuild, launchChromium } from './harness.ts';
import { forwardPort, startLab } from './lab-helpers.ts';
import type { Forwarder } from './lab-helpers.ts';

const KEY = 'class-test-lab-key';
const STUDENT_HOST = '127.0.0.2';
let server: LabServer;
let browser: Browser;
let instructor: Page;
let student: Page;
let studentUrl: string;
const forwarders: Forwarder[] = [];
const paneForwarders = {} as Record<TransportName, Forwarder>;
const errors: string[][] = [];

async function waitForPanes(page: Page): Promise<void> {
  for (const transport of TRANSPORT_NAMES) {
    await page.waitForSelector(`[data-pane=${transport}][data-ready=true] [data-test=connection-state].connected`, { timeout: 20_000 });
  }
}

beforeAll(async () => {
  await ensureWebBuild();
  server = await startLab({ labKey: KEY, loopbackIsInstructor: false });
  const network = (await (await fetch(`${server.url}/api/lab/network`)).json()) as NetworkState;
  forwarders.push(await forwardPort(STUDENT_HOST, server.port));
  for (const transport of TRANSPORT_NAMES) {
    paneForwarders[transport] = await forwardPort(STUDENT_HOST, Number(new URL(network.panes[transport]).port));
    forwarders.push(paneForwarders[transport]);
  }
  studentUrl = `http://${STUDENT_HOST}:${server.port}`;
  browser = await launchChromium();
  instructor = await (await browser.newContext({ viewport: { width: 1400, height: 1100 } })).newPage();
  student = await (await browser.newContext({ viewport: { width: 1400, height: 1100 } })).newPage();
  errors.push(collectPageErrors(instructor), collectPageErrors(student));
  await instructor.goto(`${server.url}/#/lab?key=${KEY}`);
  await student.goto(`${studentUrl}/#/lab`);
  await waitForPanes(instructor);
  await waitForPanes(student);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const forwarder of forwarders) await forwarder.close();
  await server?.close();
});

function arrivals(page: Page, transport: string): Promise<string[]> {
  return page.$$eval(`[data-pane=${transport}] [data-test=arrival] .body`, (nodes) => nodes.map((node) => node.textContent ?? ''));
}

async function sendAndWait(page: Page, text: string, button = 'lab-send'): Promise<void> {
  await page.fill('[data-test=lab-draft]', text);
  await page.click(`[data-test=${button}]`);
  for (const transport of TRANSPORT_NAMES) {
    await expect.poll(() => arrivals(page, transport), { timeout: 10_000, message: `${transport} pane` }).toContain(text);
  }
}

async function setKnob(page: Page, knob: string, value: string): Promise<void> {
  await page.fill(`[data-knob=${knob}]`, value);
  await page.dispatchEvent(`[data-knob=${knob}]`, 'change');
}

describe('a student on another machine', () => {
  it('loads every pane from the host the browser used, and every pane connects through it', async () => {
    for (const transport of TRANSPORT_NAMES) {
      const src = await student.getAttribute(`[data-frame=${transport}]`, 'src');
      expect(src, transport).toMatch(new RegExp(`^http://${STUDENT_HOST.replaceAll('.', '\\.')}:\\d+/`));
      expect(paneForwarders[transport].accepted(), transport).toBeGreaterThan(0);
    }
    await sendAndWait(student, 'from a student laptop');
    expect(errors.flat()).toEqual([]);
  });

  it('sees the shared knobs read-only, with the reason, and the server refuses them', async () => {
    for (const knob of ['delay', 'background', 'drop']) expect(await student.isDisabled(`[data-knob=${knob}]`), knob).toBe(true);
    expect(await student.textContent('[data-test=knob-authority]')).toMatch(/instructor/);
    const refused = await student.evaluate(async () => {
      const response = await fetch('/api/lab/network', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ oneWayDelayMs: 2000 }),
      });
      return [response.status, ((await response.json()) as { error: { code: string } }).error.code];
    });
    expect(refused).toEqual([403, 'forbidden']);
  });
});

describe('the instructor', () => {
  it('holds the key from the printed URL, and the address bar no longer shows it', async () => {
    expect(await instructor.evaluate(() => window.location.hash)).toBe('#/lab');
    expect(await instructor.isDisabled('[data-knob=delay]')).toBe(false);
    expect(await instructor.getAttribute('[data-test=knob-authority]', 'data-instructor')).toBe('true');
  });

  it('turns a knob and every other tab shows it live', async () => {
    await setKnob(instructor, 'delay', '120');
    await expect.poll(() => student.inputValue('[data-knob=delay]'), { timeout: 10_000 }).toBe('120');
    await setKnob(instructor, 'background', '4');
    await expect.poll(() => student.inputValue('[data-knob=background]'), { timeout: 10_000 }).toBe('4');
    await instructor.click('[data-knob=drop]');
    await expect.poll(() => student.textContent('[data-test=last-cut]').catch(() => ''), { timeout: 10_000 }).toMatch(/last cut/);
    await setKnob(instructor, 'background', '0');
    await setKnob(instructor, 'delay', '0');
    await expect.poll(() => student.inputValue('[data-knob=delay]'), { timeout: 10_000 }).toBe('0');
    await waitForPanes(student);
  });
});

describe('what the lab counts and shows', () => {
  it('does not count the page\'s own sends as short polling\'s publishes', async () => {
    const before = server.stats().transports.poll.publishes;
    await sendAndWait(instructor, 'not a poll publish');
    expect(server.stats().transports.poll.publishes).toBe(before);
  });

  it('shows the ws pane\'s own frame with its 6-byte header and mask key', async () => {
    await student.selectOption('[data-test=wire-transport]', 'ws');
    await sendAndWait(student, 'over the pane socket', 'lab-send-ws');
    const up = '[data-frame-direction=up]:has-text("over the pane socket")';
    await student.waitForSelector(up, { timeout: 10_000 });
    expect(await student.$$eval(`${up} .hex .header`, (nodes) => nodes.length)).toBe(2);
    expect(await student.$$eval(`${up} .hex .mask`, (nodes) => nodes.length)).toBe(4);
    expect(await student.textContent(up)).toContain('6 header bytes (incl. a 4-byte mask key)');
  });

  it('masks the pane\'s token in the inspector', async () => {
    await student.selectOption('[data-test=wire-transport]', 'poll');
    await expect.poll(() => student.textContent('[data-test=wire-request]').catch(() => ''), { timeout: 10_000 }).toContain('GET /api/poll?');
    const request = (await student.textContent('[data-test=wire-request]')) ?? '';
    expect(request).toMatch(/authorization: Bearer \*{20,}/i);
    expect(request).not.toMatch(/lab_session=[^*;\s]/);
  });

  it('leaves no empty race row when a send fails', async () => {
    const rows = (): Promise<string[]> => student.$$eval('[data-test=timeline] .row .label', (nodes) => nodes.map((n) => n.textContent ?? ''));
    const before = await rows();
    const tooLong = `too long ${'x'.repeat(17 * 1024)}`;
    await student.fill('[data-test=lab-draft]', tooLong);
    await student.click('[data-test=lab-send]');
    await expect.poll(() => student.textContent('[data-test=lab-error]').catch(() => ''), { timeout: 10_000 }).toMatch(/too long/);
    expect(await rows()).toEqual(before);
  });
});
