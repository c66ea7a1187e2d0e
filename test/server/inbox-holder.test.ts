import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import { closeAll, createSession, eventually, getJson, publish, startServer, type TestSession } from './helpers.ts';

/** Issue 8, finding 8: a name's inbox history never passes to a different holder. */

afterEach(closeAll);

interface PollAnswer {
  messages: Array<{ body: string }>;
  gaps: Array<{ from: number; to: number }>;
}

const IDLE_MS = 300;

async function inbox(server: LabServer, token: string, name: string, cursor?: string): Promise<PollAnswer> {
  const query = cursor ? `cursor=${encodeURIComponent(cursor)}` : 'backlog=100';
  const answer = await getJson(server, `/api/poll?topics=user:${name}&${query}`, { authorization: `Bearer ${token}` });
  expect(answer.status).toBe(200);
  return answer.json as unknown as PollAnswer;
}

/** Claims `name` as soon as its holder has gone idle (polling the claim, never sleeping). */
async function claimOnceIdle(server: LabServer, name: string): Promise<TestSession> {
  return eventually(
    () => createSession(server, name).catch(() => undefined),
    (session) => session !== undefined,
    IDLE_MS * 20,
  ) as Promise<TestSession>;
}

describe('a name that changes hands', () => {
  it('does not hand the old holder\'s direct messages to the new holder, by backlog or by a crafted cursor', async () => {
    const server = await startServer({ sessionIdleMs: IDLE_MS });
    await createSession(server, 'alice');
    const bob = await createSession(server, 'bob');
    expect((await publish(server, bob, { topic: 'user:alice', body: 'the secret' })).status).toBe(201);

    const mallory = await claimOnceIdle(server, 'alice');
    expect((await inbox(server, mallory.token, 'alice')).messages).toEqual([]);
    const crafted = `v1~${server.bus.epoch}~user:alice=0`;
    const read = await inbox(server, mallory.token, 'alice', crafted);
    expect(read.messages).toEqual([]);
    expect(read.gaps).toMatchObject([{ from: 1, to: 1 }]);

    // What is sent to the name from now on is the new holder's.
    await publish(server, bob, { topic: 'user:alice', body: 'hello new holder' });
    expect((await inbox(server, mallory.token, 'alice')).messages.map((m) => m.body)).toEqual(['hello new holder']);
  });

  it('keeps the inbox for a holder back with its own token, and not what was sent while another held the name', async () => {
    const server = await startServer({ sessionIdleMs: IDLE_MS });
    const alice = await createSession(server, 'alice');
    const bob = await createSession(server, 'bob');
    await publish(server, bob, { topic: 'user:alice', body: 'for alice' });

    // Alice reloads with her token: the same session, the same inbox.
    const reloaded = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
      body: JSON.stringify({ name: 'alice' }),
    });
    expect(reloaded.status).toBe(201);
    expect((await inbox(server, alice.token, 'alice')).messages.map((m) => m.body)).toEqual(['for alice']);

    // Alice goes idle and returns with her token while nobody took the name: still hers.
    await eventually(() => server.stats().sessions, (n) => n === 0, IDLE_MS * 20);
    expect((await inbox(server, alice.token, 'alice')).messages.map((m) => m.body)).toEqual(['for alice']);

    // Someone else holds "alice" for a while and receives a message there, then leaves.
    const mallory = await claimOnceIdle(server, 'alice');
    await publish(server, bob, { topic: 'user:alice', body: 'for mallory' });
    expect((await inbox(server, mallory.token, 'alice')).messages.map((m) => m.body)).toEqual(['for mallory']);
    await eventually(() => server.stats().sessions, (n) => n === 0, IDLE_MS * 20);

    // Alice's old token revives her session; Mallory's inbox does not come with it.
    expect((await inbox(server, alice.token, 'alice')).messages).toEqual([]);
  });
});
