/**
 * Each tab keeps its own identity: a tab that reloads gets its own name back
 * although another tab of the same browser signed in as someone else (the
 * shared `lab_session` cookie used to lock it out for ~90 s), and the page
 * never stores that cookie, so it leaks into no pane's requests. Plus the
 * page's own words for a bad name and for a direct message to nobody.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectPageErrors, useBrowserAndServer } from './harness.ts';
import { errorText, send, signIn as openChat, waitForConnected, waitForLabPanes } from './chat-page.ts';

const env = useBrowserAndServer();

/** This file's people use ws unless a test says otherwise. */
async function signIn(page: Page, name: string, transport = 'ws'): Promise<void> {
  await openChat(page, env.server.url, name, transport);
}

describe('one identity per tab', () => {
  it('a reloaded tab gets its own name back while another tab uses the lab', async () => {
    const context = await env.newContext();
    const chat = await context.newPage();
    const errors = collectPageErrors(chat);
    await signIn(chat, 'carol');
    await waitForConnected(chat);

    // The lab in another tab of the same browser signs in several sessions of its own.
    const lab = await context.newPage();
    await lab.goto(`${env.server.url}/#/lab`);
    await waitForLabPanes(lab);
    // Another chat tab as someone else, for good measure.
    const other = await context.newPage();
    await signIn(other, 'dave');
    await waitForConnected(other);

    // No tab stored the shared cookie, so no request of any tab or pane carries one.
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('lab_session');

    await chat.reload();
    await signIn(chat, 'carol');
    await waitForConnected(chat);
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
    const page = await env.newPage();
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
    const page = await env.newPage();
    await signIn(page, 'erin', 'poll');
    await waitForConnected(page);
    await page.fill('[data-test=new-peer]', 'nobody-here');
    await page.press('[data-test=new-peer]', 'Enter');
    await page.waitForSelector('[data-peer="nobody-here"]');
    await send(page, 'anyone?');
    await expect.poll(() => errorText(page), { timeout: 10_000 }).toMatch(/Nobody called "nobody-here".*removed/);
    expect(await page.$('[data-peer="nobody-here"]')).toBeNull();
    expect(await page.textContent('[data-test=conversation-title]')).toContain('lobby');
  });
});
