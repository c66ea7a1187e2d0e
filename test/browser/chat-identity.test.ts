/**
 * Each tab keeps its own identity: a tab that reloads gets its own name back
 * although another tab of the same browser signed in as someone else (the
 * shared `lab_session` cookie used to lock it out for ~90 s), and the page
 * never stores that cookie, so it leaks into no pane's requests. Plus the
 * page's own words for a bad name and for a direct message to nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { LabServer } from '../../src/server/create.ts';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import { collectPageErrors, ensureWebBuild, launchChromium, startServer } from './harness.ts';

let browser: Browser;
let server: LabServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext();
  contexts.push(context);
  return context;
}

async function signIn(page: Page, name: string, transport = 'ws'): Promise<void> {
  await page.goto(`${server.url}/#/chat`);
  await page.fill('[data-test=name]', name);
  await page.selectOption('[data-test=transport]', transport);
  await page.click('[data-test=connect]');
}

function errorText(page: Page): Promise<string> {
  return page.textContent('[data-test=chat-error]', { timeout: 1000 }).then((text) => text ?? '').catch(() => '');
}

describe('one identity per tab', () => {
  it('a reloaded tab gets its own name back while another tab uses the lab', async () => {
    const context = await newContext();
    const chat = await context.newPage();
    const errors = collectPageErrors(chat);
    await signIn(chat, 'carol');
    await chat.waitForSelector('[data-test=connection-state].connected', { timeout: 10_000 });

    // The lab in another tab of the same browser signs in several sessions of its own.
    const lab = await context.newPage();
    await lab.goto(`${server.url}/#/lab`);
    for (const t of TRANSPORT_NAMES) await lab.waitForSelector(`[data-pane=${t}][data-ready=true]`, { timeout: 20_000 });
    // Another chat tab as someone else, for good measure.
    const other = await context.newPage();
    await signIn(other, 'dave');
    await other.waitForSelector('[data-test=connection-state].connected', { timeout: 10_000 });

    // No tab stored the shared cookie, so no request of any tab or pane carries one.
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('lab_session');

    await chat.reload();
    await signIn(chat, 'carol');
    await chat.waitForSelector('[data-test=connection-state].connected', { timeout: 10_000 });
    expect(await errorText(chat)).toBe('');
    expect(await chat.textContent('[data-test=me]')).toBe('carol');

    // The identity is the tab's, not the browser's: a new tab cannot take carol's name.
    const intruder = await context.newPage();
    await signIn(intruder, 'carol');
    await expect.poll(() => errorText(intruder), { timeout: 10_000 }).toContain('name is taken');
    expect(errors).toEqual([]);
  });
});

describe('the page in its own words', () => {
  it('says what is wrong with a name it checks itself, without blaming the server', async () => {
    const page = await (await newContext()).newPage();
    const requests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/')) requests.push(request.url());
    });
    await signIn(page, 'carol smith');
    await expect.poll(() => errorText(page), { timeout: 10_000 }).toContain('cannot contain a space');
    const text = await errorText(page);
    expect(text).not.toContain('server');
    expect(requests).toEqual([]);
  });

  it('removes a direct conversation with nobody and says why', async () => {
    const page = await (await newContext()).newPage();
    await signIn(page, 'erin', 'poll');
    await page.waitForSelector('[data-test=connection-state].connected', { timeout: 10_000 });
    await page.fill('[data-test=new-peer]', 'nobody-here');
    await page.press('[data-test=new-peer]', 'Enter');
    await page.waitForSelector('[data-peer="nobody-here"]');
    await page.fill('[data-test=draft]', 'anyone?');
    await page.click('[data-test=send]');
    await expect.poll(() => errorText(page), { timeout: 10_000 }).toMatch(/Nobody called "nobody-here".*removed/);
    expect(await page.$('[data-peer="nobody-here"]')).toBeNull();
    expect(await page.textContent('[data-test=conversation-title]')).toContain('lobby');
  });
});
