/**
 * A server that goes away and comes back: the chat shows it reconnecting,
 * then connected again, and messages flow with nothing doubled; the live lab
 * says the server is gone and picks up the new server's panes.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectPageErrors, useBrowserAndServer } from './harness.ts';
import { errorText, joinChat, send, waitForArrivals, waitForBodies, waitForConnected, waitForLabPanes } from './chat-page.ts';

// The same secret on both servers keeps the session tokens valid across the restart.
const env = useBrowserAndServer({ options: { secret: 'chat-restart-test-secret' } });

/**
 * People who sign in, each on a transport, and open `room` when one is named
 * (the lobby is open already); `errors()` is whatever their pages threw.
 */
async function join(people: [name: string, transport: string][], room?: string): Promise<{ pages: Page[]; errors: () => string[] }> {
  const pages: Page[] = [];
  const errors: string[][] = [];
  for (const [name, transport] of people) {
    const page = await env.newPage();
    errors.push(collectPageErrors(page));
    await joinChat(page, env.server.url, name, transport);
    if (room) await page.click(`[data-room=${room}]`);
    pages.push(page);
  }
  return { pages, errors: () => errors.flat() };
}

/** Closes the server and waits until each page has seen it go. */
async function stopServerSeenBy(pages: Page[]): Promise<void> {
  await env.stopServer();
  for (const page of pages) await page.waitForSelector('[data-test=connection-state]:not(.connected)', { timeout: 10_000 });
}

describe('chat across a server restart', () => {
  it('shows reconnecting, recovers, and delivers each message once', async () => {
    const { pages: [sse, ws], errors } = await join([['sse-user', 'sse'], ['ws-user', 'ws']]);
    await send(ws, 'before the restart');
    await waitForBodies([sse], ['before the restart']);

    await stopServerSeenBy([sse, ws]);
    await env.restartServer();
    for (const page of [sse, ws]) {
      await waitForConnected(page, 20_000);
      // Recovered: no banner of the outage stays beside the green badge, and the page says what happened.
      await expect.poll(() => errorText(page, 500), { timeout: 10_000 }).toBe('');
      expect(await page.textContent('[data-test=chat-notice]')).toMatch(/Connected again at .* without the server/);
      // One gap badge per topic: the server's history began again in each room and the inbox.
      const topics = await page.$$eval('[data-test=gap]', (nodes) => nodes.map((node) => node.getAttribute('data-topic')));
      expect(new Set(topics).size).toBe(topics.length);
      expect(topics.length).toBeGreaterThan(1);
    }
    await send(ws, 'after the restart');
    await waitForBodies([sse, ws], ['before the restart', 'after the restart']);
    expect(errors()).toEqual([]);
  });

  it('on ws while the server is away: one press, a visible sending state, stored once', async () => {
    const { pages: [wes, sam], errors } = await join([['wes', 'ws'], ['sam', 'sse']], 'random');
    await stopServerSeenBy([wes]);
    await send(wes, 'sent while away');
    await wes.waitForSelector('[data-test=send][data-sending=true]:disabled', { timeout: 5_000 });
    expect(await wes.textContent('[data-test=send]')).toMatch(/Sending/);
    // A second press (Enter in the draft) starts no second send.
    await wes.press('[data-test=draft]', 'Enter');
    await env.restartServer();
    await wes.waitForSelector('[data-test=send]:not([data-sending=true])', { timeout: 20_000 });
    expect(await wes.inputValue('[data-test=draft]')).toBe('');
    // A later message: once sam has it, a doubled one would have arrived before it.
    await send(wes, 'next');
    await waitForBodies([wes, sam], ['sent while away', 'next']);
    expect(errors()).toEqual([]);
  });

  it('a failed HTTP send: a human banner, cleared on recovery, the draft kept and sent once with its id', async () => {
    const { pages: [pia, ole], errors } = await join([['pia', 'poll'], ['ole', 'longpoll']], 'workshop');
    await stopServerSeenBy([pia]);
    await send(pia, 'through the outage');
    await expect.poll(() => errorText(pia, 500), { timeout: 20_000 }).toMatch(/could not be reached/);
    expect(await errorText(pia, 500)).not.toMatch(/Failed to fetch$/);
    await env.restartServer();
    await waitForConnected(pia, 20_000);
    await expect.poll(() => errorText(pia, 500), { timeout: 10_000 }).toBe('');
    expect(await pia.textContent('[data-test=chat-notice]')).toMatch(/draft was not sent yet/);
    expect(await pia.inputValue('[data-test=draft]')).toBe('through the outage');
    await pia.click('[data-test=send]');
    await waitForBodies([pia, ole], ['through the outage']);
    expect(errors()).toEqual([]);
  });

  it('tells the lab the server went away, then reloads its panes on the new server', async () => {
    const page = await env.newPage();
    const labErrors = collectPageErrors(page);
    await page.goto(`${env.server.url}/#/lab`);
    await waitForLabPanes(page);
    await env.stopServer();
    await page.waitForSelector('[data-test=lab-server-down]', { timeout: 10_000 });
    await env.restartServer();
    await page.waitForSelector('[data-test=lab-server-down]', { state: 'detached', timeout: 10_000 });
    await waitForLabPanes(page);
    await page.fill('[data-test=lab-draft]', 'after the lab restart');
    await page.click('[data-test=lab-send]');
    await waitForArrivals(page, 'after the lab restart');
    expect(labErrors).toEqual([]);
  });
});
