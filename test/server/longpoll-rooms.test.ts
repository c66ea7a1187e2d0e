/**
 * Issue 12: long polls held at the same positions wait in one room — one bus
 * subscription for all of them — and one publish answers the room with the
 * same bytes; a member that answers alone (its wait ran out, it was
 * superseded, its client left) leaves the others waiting. Counters and byte
 * accounting stay exact whether a request was answered by its room or alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import { closeAll, createSession, eventually, publish, startServer, type TestSession } from './helpers.ts';

afterEach(closeAll);

interface Answer {
  status: number;
  text: string;
}

async function longPoll(server: LabServer, session: TestSession, query: string, signal?: AbortSignal): Promise<Answer> {
  const res = await fetch(`${server.url}/api/longpoll?${query}`, { headers: session.auth, signal });
  return { status: res.status, text: await res.text() };
}

const held = (server: LabServer): number => server.stats().transports.longpoll.heldRequests;

describe('long-poll rooms', () => {
  it('holds requests at the same positions on one subscription and answers them all with the same bytes', async () => {
    const server = await startServer();
    const sessions = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((name) => createSession(server, name)));
    const pending = sessions.map((session) => longPoll(server, session, 'topics=room:lobby&wait=30'));
    await eventually(() => held(server), (n) => n === 4);
    // Four held requests, one room: one subscription on the bus.
    expect(server.bus.stats().subscriptions).toBe(1);
    await publish(server, sessions[0], { topic: 'room:lobby', body: 'to the room' });
    const answers = await Promise.all(pending);
    expect(answers.every((answer) => answer.status === 200 && answer.text === answers[0].text)).toBe(true);
    const body = JSON.parse(answers[0].text) as { messages: { body: string }[]; cursor: string; more: boolean };
    expect(body.messages.map((m) => m.body)).toEqual(['to the room']);
    expect(body.more).toBe(false);
    expect(server.stats().transports.longpoll).toMatchObject({ heldRequests: 0, deliveries: 4 });
    expect(server.bus.stats().subscriptions).toBe(0);
    // The room's cursor is the one a request alone gets: the next long poll from it waits for what comes next.
    const next = longPoll(server, sessions[1], `topics=room:lobby&wait=30&cursor=${encodeURIComponent(body.cursor)}`);
    await eventually(() => held(server), (n) => n === 1);
    await publish(server, sessions[0], { topic: 'room:lobby', body: 'after' });
    expect((JSON.parse((await next).text) as { messages: { body: string }[] }).messages.map((m) => m.body)).toEqual(['after']);
  });

  it('keeps requests at different positions in different rooms, each answered from its own cursor', async () => {
    const server = await startServer();
    const [early, late] = await Promise.all([createSession(server, 'early'), createSession(server, 'late')]);
    const first = await publish(server, early, { topic: 'room:lobby', body: 'one' });
    expect(first.status).toBe(201);
    const now = longPoll(server, late, 'topics=room:lobby&wait=30');
    await eventually(() => held(server), (n) => n === 1);
    await publish(server, early, { topic: 'room:lobby', body: 'two' });
    const { cursor } = JSON.parse((await now).text) as { cursor: string };
    // Two held requests: one at the cursor after "two", one with no cursor (from now) — the same positions, one room.
    const a = longPoll(server, early, `topics=room:lobby&wait=30&cursor=${encodeURIComponent(cursor)}`);
    const b = longPoll(server, late, 'topics=room:lobby&wait=30');
    // A third with another limit waits in a room of its own.
    const third = await createSession(server, 'third');
    const c = longPoll(server, third, 'topics=room:lobby&wait=30&limit=1');
    await eventually(() => held(server), (n) => n === 3);
    expect(server.bus.stats().subscriptions).toBe(2);
    await publish(server, early, { topic: 'room:lobby', body: 'three' });
    const texts = await Promise.all([a, b, c].map(async (pending) => (await pending).text));
    expect(texts[0]).toBe(texts[1]);
    for (const text of texts) expect((JSON.parse(text) as { messages: { body: string }[] }).messages.map((m) => m.body)).toEqual(['three']);
    expect(server.bus.stats().subscriptions).toBe(0);
  });

  it('lets a member leave alone — wait ran out, superseded, client gone — while the rest still get the publish', async () => {
    const server = await startServer();
    const [stays, times, replaced, leaves] = await Promise.all(['stays', 'times', 'replaced', 'leaves'].map((name) => createSession(server, name)));
    const staying = longPoll(server, stays, 'topics=room:lobby&wait=30');
    const timing = longPoll(server, times, 'topics=room:lobby&wait=0.3');
    const superseded = longPoll(server, replaced, 'topics=room:lobby&wait=30');
    const controller = new AbortController();
    const leaving = longPoll(server, leaves, 'topics=room:lobby&wait=30', controller.signal).catch((error: unknown) => error);
    await eventually(() => held(server), (n) => n === 4);
    expect(server.bus.stats().subscriptions).toBe(1);
    // Its wait runs out: an empty answer, alone.
    const timedOut = await timing;
    expect(JSON.parse(timedOut.text)).toMatchObject({ messages: [], gaps: [], more: false });
    // A second long poll of the same session and topics answers the first at once, empty.
    const replacement = longPoll(server, replaced, 'topics=room:lobby&wait=30');
    expect(JSON.parse((await superseded).text)).toMatchObject({ messages: [], gaps: [] });
    controller.abort();
    await leaving;
    await eventually(() => held(server), (n) => n === 2);
    expect(server.bus.stats().subscriptions).toBe(1);
    await publish(server, stays, { topic: 'room:lobby', body: 'for those still here' });
    const [kept, replacedAnswer] = await Promise.all([staying, replacement]);
    expect(kept.text).toBe(replacedAnswer.text);
    expect((JSON.parse(kept.text) as { messages: { body: string }[] }).messages.map((m) => m.body)).toEqual(['for those still here']);
    expect(server.stats().transports.longpoll).toMatchObject({ heldRequests: 0, deliveries: 2, emptyResponses: 2 });
    expect(server.bus.stats().subscriptions).toBe(0);
  });

  it('counts the body bytes of a room answered in one batch as the bytes its members were sent', async () => {
    const server = await startServer();
    const sessions = await Promise.all(['b1', 'b2', 'b3'].map((name) => createSession(server, name)));
    const before = server.stats().transports.longpoll.bytesOut.bodies;
    const pending = sessions.map((session) => longPoll(server, session, 'topics=room:lobby&wait=30'));
    await eventually(() => held(server), (n) => n === 3);
    await publish(server, sessions[0], { topic: 'room:lobby', body: 'counted once per batch' });
    const answers = await Promise.all(pending);
    const sent = answers.reduce((sum, answer) => sum + Buffer.byteLength(answer.text), 0);
    expect(server.stats().transports.longpoll.bytesOut.bodies - before).toBe(sent);
  });
});
