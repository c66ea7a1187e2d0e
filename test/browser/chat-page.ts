/**
 * What the chat and lab browser tests do on a page, said once: sign in to the
 * chat, send a draft, read the messages and the error banner, wait for the
 * lab's panes. Selectors are the page's `data-test` hooks.
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';

/** On the open chat page: types the name and presses Connect; picks a transport only when one is given (else the page's default). */
export async function connectAs(page: Page, name: string, transport?: string): Promise<void> {
  await page.fill('[data-test=name]', name);
  if (transport !== undefined) await page.selectOption('[data-test=transport]', transport);
  await page.click('[data-test=connect]');
}

/** Opens the chat and connects as `name`. */
export async function signIn(page: Page, baseUrl: string, name: string, transport?: string): Promise<void> {
  await page.goto(`${baseUrl}/#/chat`);
  await connectAs(page, name, transport);
}

export async function waitForConnected(page: Page, timeout = 10_000): Promise<void> {
  await page.waitForSelector('[data-test=connection-state].connected', { timeout });
}

/** Signs in and waits until the page says it is connected. */
export async function joinChat(page: Page, baseUrl: string, name: string, transport?: string): Promise<Page> {
  await signIn(page, baseUrl, name, transport);
  await waitForConnected(page);
  return page;
}

/** Types into the draft and presses Send. */
export async function send(page: Page, text: string): Promise<void> {
  await page.fill('[data-test=draft]', text);
  await page.click('[data-test=send]');
}

/** The bodies of the messages shown in the open conversation, oldest first. */
export function bodies(page: Page): Promise<string[]> {
  return page.$$eval('[data-test=message] [data-test=body]', (nodes) => nodes.map((node) => node.textContent ?? ''));
}

/** Waits until every page shows exactly these message bodies. */
export async function waitForBodies(pages: Page[], expected: string[], timeout = 10_000): Promise<void> {
  for (const page of pages) await expect.poll(() => bodies(page), { timeout }).toEqual(expected);
}

/** The error banner's text, '' when there is none within `timeout` ms. */
export function errorText(page: Page, timeout = 1000): Promise<string> {
  return page.textContent('[data-test=chat-error]', { timeout }).then((text) => text ?? '').catch(() => '');
}

/** Waits until every pane of the live lab has signed in. */
export async function waitForLabPanes(page: Page): Promise<void> {
  for (const t of TRANSPORT_NAMES) await page.waitForSelector(`[data-pane=${t}][data-ready=true]`, { timeout: 20_000 });
}

/** Waits until every pane of the live lab shows `text` among its arrivals. */
export async function waitForArrivals(page: Page, text: string): Promise<void> {
  for (const t of TRANSPORT_NAMES) {
    await expect.poll(() => page.textContent(`[data-pane=${t}] [data-test=arrivals]`), { timeout: 10_000 }).toContain(text);
  }
}
