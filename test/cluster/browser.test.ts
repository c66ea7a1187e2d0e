/**
 * The chat in real Chromium through the cluster: four people, one per
 * transport, on two nodes behind the shipped nginx config (round-robin, not
 * sticky), see every line in the same order; the live lab works through the
 * proxy (its routes go to one node, whose panes it shows; docs/api.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startCluster, type RunningCluster } from '../../src/cluster/cluster.ts';
import { TRANSPORT_NAMES, type TransportName } from '../../src/protocol/index.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { collectPageErrors, ensureWebBuild, launchChromium } from '../browser/harness.ts';
import { NGINX_MISSING } from './harness.ts';

interface Person {
  page: Page;
  errors: string[];
}

function bodies(page: Page): Promise<string[]> {
  return page.$$eval('[data-test=message] [data-test=body]', (nodes) => nodes.map((node) => node.textContent ?? ''));
}

describe.skipIf(NGINX_MISSING)(`the chat through the cluster${NGINX_MISSING ? ` — skipped: ${NGINX_MISSING}` : ''}`, () => {
  let redis: OwnRedis;
  let cluster: RunningCluster;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await ensureWebBuild();
    redis = await OwnRedis.start();
    cluster = await startCluster({ nodes: 2, redisUrl: redis.url });
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await cluster?.close();
    redis?.kill();
  }, 30_000);

  async function join(name: string, transport: TransportName): Promise<Person> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${cluster.url}/#/chat`);
    await page.fill('[data-test=name]', name);
    await page.selectOption('[data-test=transport]', transport);
    await page.click('[data-test=connect]');
    await page.waitForSelector('[data-test=connection-state].connected', { timeout: 15_000 });
    return { page, errors };
  }

  it('four people on four transports see every line, in one order', async () => {
    const people = new Map<TransportName, Person>();
    for (const transport of TRANSPORT_NAMES) people.set(transport, await join(`${transport}-person`, transport));
    const sent: string[] = [];
    for (const transport of TRANSPORT_NAMES) {
      const person = people.get(transport)!;
      const text = `hello from ${transport}`;
      await person.page.fill('[data-test=draft]', text);
      await person.page.click('[data-test=send]');
      sent.push(text);
      // The room echoes to its sender: waiting for it fixes the order of the next line.
      await expect.poll(async () => (await bodies(person.page)).slice(-sent.length), { timeout: 15_000 }).toEqual(sent);
    }
    for (const person of people.values()) {
      await expect.poll(async () => (await bodies(person.page)).slice(-sent.length), { timeout: 15_000 }).toEqual(sent);
    }
    expect([...people.values()].flatMap((person) => person.errors)).toEqual([]);
  }, 90_000);

  it('serves the live lab through the proxy: its four panes connect and a line sent through nginx reaches each', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const response = await page.goto(`${cluster.url}/#/lab?key=${encodeURIComponent(cluster.labKey)}`);
    expect(response?.status()).toBe(200);
    for (const transport of TRANSPORT_NAMES) {
      await page.waitForSelector(`[data-pane=${transport}][data-ready=true] [data-test=connection-state].connected`, { timeout: 15_000 });
    }
    await page.fill('[data-test=lab-draft]', 'through nginx');
    await page.click('[data-test=lab-send]');
    for (const transport of TRANSPORT_NAMES) {
      const arrivals = (): Promise<string[]> =>
        page.$$eval(`[data-pane=${transport}] [data-test=arrival] .body`, (nodes) => nodes.map((node) => node.textContent ?? ''));
      await expect.poll(arrivals, { timeout: 15_000, message: `${transport} pane` }).toContain('through nginx');
    }
    expect(errors).toEqual([]);
  }, 60_000);
});
