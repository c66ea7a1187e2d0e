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
    }
    await ws.fill('[data-test=draft]', 'after the restart');
    await ws.click('[data-test=send]');
    for (const page of [sse, ws]) {
      await expect.poll(() => bodies(page), { timeout: 10_000 }).toEqual(['before the restart', 'after the restart']);
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
