/**
 * The chat in real Chromium: two people on two different transports, a
 * direct message, the XSS payload of issue 4, a taken name.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TransportName } from '../../src/protocol/index.ts';
import { collectPageErrors, screenshotPath, useBrowserAndServer } from './harness.ts';
import { bodies, joinChat, send, signIn, waitForBodies } from './chat-page.ts';

const env = useBrowserAndServer();

interface Person {
  page: Page;
  errors: string[];
  dialogs: string[];
}

async function join(name: string, transport: TransportName): Promise<Person> {
  const page = await env.newPage();
  const errors = collectPageErrors(page);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await joinChat(page, env.server.url, name, transport);
  return { page, errors, dialogs };
}

async function say(person: Person, text: string): Promise<void> {
  await send(person.page, text);
}

/** The lobby keeps its history, so later tests look at its newest line. */
async function waitForLast(page: Page, text: string): Promise<void> {
  await expect.poll(async () => (await bodies(page)).at(-1), { timeout: 10_000 }).toBe(text);
}

describe('chat in Chromium', () => {
  it('two people on sse and ws see each other in the same order', async () => {
    const ann = await join('ann', 'sse');
    const bob = await join('bob', 'ws');
    const script: [Person, string][] = [[ann, 'hello from sse'], [bob, 'hi from ws'], [ann, 'second from sse'], [bob, 'second from ws']];
    const sent: string[] = [];
    for (const [person, text] of script) {
      await say(person, text);
      sent.push(text);
      // The room echoes to its sender too: waiting for it fixes the order of the next send.
      await waitForBodies([person.page], sent);
    }
    await waitForBodies([ann.page, bob.page], sent);
    await bob.page.screenshot({ path: screenshotPath('chat') });
    expect([...ann.errors, ...bob.errors]).toEqual([]);
  });

  it('a direct message reaches its recipient and nobody else', async () => {
    const cat = await join('cat', 'longpoll');
    const dan = await join('dan', 'poll');
    const eve = await join('eve', 'ws');
    await cat.page.fill('[data-test=new-peer]', 'dan');
    await cat.page.press('[data-test=new-peer]', 'Enter');
    await say(cat, 'for dan only');

    await dan.page.click('[data-peer=cat]', { timeout: 10_000 });
    await waitForBodies([dan.page, cat.page], ['for dan only']);
    // A message to the room after the DM: once eve has it, she would have had the DM too.
    await dan.page.click('[data-room=lobby]');
    await say(dan, 'room message after the dm');
    await waitForLast(eve.page, 'room message after the dm');
    expect(await eve.page.textContent('body')).not.toContain('for dan only');
    expect(await eve.page.$$('[data-peer]')).toHaveLength(0);
  });

  it('renders an HTML payload as text and runs nothing', async () => {
    const fay = await join('fay', 'poll');
    const gus = await join('gus', 'sse');
    const payload = '<img src=x onerror=alert(1)>';
    await say(fay, payload);
    await waitForLast(gus.page, payload);
    await waitForLast(fay.page, payload);
    expect(await gus.page.$$('[data-test=messages] img')).toHaveLength(0);
    // Give an injected handler time to fire before asserting that none did.
    await gus.page.waitForTimeout(300);
    expect([...fay.dialogs, ...gus.dialogs]).toEqual([]);
  });

  it('says so when a message is too long, and keeps the draft', async () => {
    const ida = await join('ida', 'ws');
    const long = 'x'.repeat(env.server.options.maxBodyBytes + 1);
    await say(ida, long);
    await expect.poll(() => ida.page.textContent('[data-test=chat-error]').catch(() => ''), { timeout: 10_000 })
      .toContain('too long');
    expect(await ida.page.inputValue('[data-test=draft]')).toBe(long);
  });

  it('says so when a name is taken', async () => {
    await join('hal', 'ws');
    const page = await env.newPage();
    await signIn(page, env.server.url, 'hal');
    await expect.poll(() => page.textContent('[data-test=chat-error]').catch(() => ''), { timeout: 10_000 })
      .toContain('name is taken');
  });
});
