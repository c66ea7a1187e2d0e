/**
 * A server that goes away and comes back: the chat shows it reconnecting,
 * then connected again, and messages flow with nothing doubled; the live lab
 * says the server is gone and picks up the new server's panes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import type { Browser, Page } from 'playwright-core';
import type { LabServer } from '../../src/server/create.ts';
import { collectPageErrors, ensureWebBuild, launchChromium, startServer } from './harness.ts';

// The same secret on both servers keeps the session tokens valid across the restart.
const SECRET = 'chat-restart-test-secret';
let browser: Browser;
let server: LabServer;

beforeAll(async () => {
  await ensureWebBuild();
  server = await startServer(undefined, { secret: SECRET });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function join(name: string, transport: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/#/chat`);
  await page.fill('[data-test=name]', name);
  await page.selectOption('[data-test=transport]', transport);
  await page.click('[data-test=connect]');
  await page.waitForSelector('[data-test=connection-state].connected', { timeout: 10_000 });
  return page;
}

function errorText(page: Page): Promise<string> {
  return page.textContent('[data-test=chat-error]', { timeout: 500 }).then((text) => text ?? '').catch(() => '');
}

function bodies(page: Page): Promise<string[]> {
  return page.$$eval('[data-test=message] [data-test=body]', (nodes) => nodes.map((node) => node.textContent ?? ''));
}

describe('chat across a server restart', () => {
  it('shows reconnecting, recovers, and delivers each message once', async () => {
    const sse = await join('sse-user', 'sse');
    const ws = await join('ws-user', 'ws');
    const errors = [...collectPageErrors(sse), ...collectPageErrors(ws)];
    await ws.fill('[data-test=draft]', 'before the restart');
    await ws.click('[data-test=send]');
    await expect.poll(() => bodies(sse)).toEqual(['before the restart']);

    const port = server.port;
    await server.close();
    for (const page of [sse, ws]) {
      await page.waitForSelector('[data-test=connection-state]:not(.connected)', { timeout: 10_000 });
    }
    server = await startServer(undefined, { secret: SECRET, port });
    for (const page of [sse, ws]) {
      await page.waitForSelector('[data-test=connection-state].connected', { timeout: 20_000 });
      // Recovered: no banner of the outage stays beside the green badge, and the page says what happened.
      await expect.poll(() => errorText(page), { timeout: 10_000 }).toBe('');
      expect(await page.textContent('[data-test=chat-notice]')).toMatch(/Connected again at .* without the server/);
      // One gap badge per topic: the server's history began again in each room and the inbox.
      const topics = await page.$$eval('[data-test=gap]', (nodes) => nodes.map((node) => node.getAttribute('data-topic')));
      expect(new Set(topics).size).toBe(topics.length);
      expect(topics.length).toBeGreaterThan(1);
    }
    await ws.fill('[data-test=draft]', 'after the restart');
    await ws.click('[data-test=send]');
    for (const page of [sse, ws]) {
      await expect.poll(() => bodies(page), { timeout: 10_000 }).toEqual(['before the restart', 'after the restart']);
    }
    expect(errors).toEqual([]);
  });

  it('on ws while the server is away: one press, a visible sending state, stored once', async () => {
    const wes = await join('wes', 'ws');
    const sam = await join('sam', 'sse');
    const errors = [...collectPageErrors(wes), ...collectPageErrors(sam)];
    await wes.click('[data-room=random]');
    await sam.click('[data-room=random]');
    const port = server.port;
    await server.close();
    await wes.waitForSelector('[data-test=connection-state]:not(.connected)', { timeout: 10_000 });
    await wes.fill('[data-test=draft]', 'sent while away');
    await wes.click('[data-test=send]');
    await wes.waitForSelector('[data-test=send][data-sending=true]:disabled', { timeout: 5_000 });
    expect(await wes.textContent('[data-test=send]')).toMatch(/Sending/);
    // A second press (Enter in the draft) starts no second send.
    await wes.press('[data-test=draft]', 'Enter');
    server = await startServer(undefined, { secret: SECRET, port });
    await wes.waitForSelector('[data-test=send]:not([data-sending=true])', { timeout: 20_000 });
    expect(await wes.inputValue('[data-test=draft]')).toBe('');
    // A later message: once sam has it, a doubled one would have arrived before it.
    await wes.fill('[data-test=draft]', 'next');
    await wes.click('[data-test=send]');
    for (const page of [wes, sam]) {
      await expect.poll(() => bodies(page), { timeout: 10_000 }).toEqual(['sent while away', 'next']);
    }
    expect(errors).toEqual([]);
  });

  it('a failed HTTP send: a human banner, cleared on recovery, the draft kept and sent once with its id', async () => {
    const pia = await join('pia', 'poll');
    const ole = await join('ole', 'longpoll');
    const errors = [...collectPageErrors(pia), ...collectPageErrors(ole)];
    await pia.click('[data-room=workshop]');
    await ole.click('[data-room=workshop]');
    const port = server.port;
    await server.close();
    await pia.waitForSelector('[data-test=connection-state]:not(.connected)', { timeout: 10_000 });
    await pia.fill('[data-test=draft]', 'through the outage');
    await pia.click('[data-test=send]');
    await expect.poll(() => errorText(pia), { timeout: 20_000 }).toMatch(/could not be reached/);
    expect(await errorText(pia)).not.toMatch(/Failed to fetch$/);
    server = await startServer(undefined, { secret: SECRET, port });
    await pia.waitForSelector('[data-test=connection-state].connected', { timeout: 20_000 });
    await expect.poll(() => errorText(pia), { timeout: 10_000 }).toBe('');
    expect(await pia.textContent('[data-test=chat-notice]')).toMatch(/draft was not sent yet/);
    expect(await pia.inputValue('[data-test=draft]')).toBe('through the outage');
    await pia.click('[data-test=send]');
    for (const page of [pia, ole]) {
      await expect.poll(() => bodies(page), { timeout: 10_000 }).toEqual(['through the outage']);
    }
    expect(errors).toEqual([]);
  });

  it('tells the lab the server went away, then reloads its panes on the new server', async () => {
    const page = await (await browser.newContext()).newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${server.url}/#/lab`);
    const ready = async (): Promise<void> => {
      for (const t of TRANSPORT_NAMES) await page.waitForSelector(`[data-pane=${t}][data-ready=true]`, { timeout: 20_000 });
    };
    await ready();
    const port = server.port;
    await server.close();
    await page.waitForSelector('[data-test=lab-server-down]', { timeout: 10_000 });
    server = await startServer(undefined, { secret: SECRET, port });
    await page.waitForSelector('[data-test=lab-server-down]', { state: 'detached', timeout: 10_000 });
    await ready();
    await page.fill('[data-test=lab-draft]', 'after the lab restart');
    await page.click('[data-test=lab-send]');
    for (const t of TRANSPORT_NAMES) {
      await expect.poll(() => page.textContent(`[data-pane=${t}] [data-test=arrivals]`), { timeout: 10_000 })
        .toContain('after the lab restart');
    }
    expect(errors).toEqual([]);
  });
});
