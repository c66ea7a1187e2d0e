/**
 * Each library reference of issue 12 starts on port 0, and the lean driver
 * that speaks its wire protocol (engine.io polling packets, Bayeux JSON over
 * HTTP and WebSocket, SockJS framing, better-sse's stream) receives every
 * message of two rounds, in order, at every subscriber — as it does from
 * ours. Small sizes: a few subscribers, a few dozen messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FANOUT_KINDS, type FanoutTransport } from '../../bench/peers/measure/fanout.ts';
import { FanoutRig, fanoutLoss } from '../../bench/peers/measure/fanout-session.ts';
import { ServerProcess, SERVER_SPECS } from '../../bench/peers/proc/server-process.ts';
import type { ContenderName } from '../../bench/peers/types.ts';
import { referenceLabel, versionOf } from '../../bench/peers/versions.ts';

const started: ServerProcess[] = [];
const rigs: FanoutRig[] = [];

afterEach(async () => {
  await Promise.all(rigs.splice(0).map((rig) => rig.close()));
  await Promise.all(started.splice(0).map((server) => server.stop()));
});

const SUBSCRIBERS = 3;
const MESSAGES = 30;

async function deliversInOrder(transport: FanoutTransport, contender: ContenderName): Promise<void> {
  const server = await ServerProcess.start(SERVER_SPECS[contender], { pin: false });
  started.push(server);
  const plan = FANOUT_KINDS[transport].plans[contender];
  expect(plan, `${contender} has a ${transport} driver`).toBeDefined();
  // Two load processes, so that the spreading over processes is part of what works.
  const rig = await FanoutRig.open(server, plan!, SUBSCRIBERS, 2, false, `room:test-${transport}`);
  rigs.push(rig);
  for (let round = 0; round < 2; round += 1) {
    const figures = await rig.run({ messages: MESSAGES, window: 4, ratePerSecond: null, recordLatency: false, bodyBytes: 100, timeoutMs: 20_000 });
    expect(fanoutLoss(figures, MESSAGES), `${transport} on ${contender}, round ${round + 1}`).toBeNull();
    expect(figures.delivered).toBe(SUBSCRIBERS * MESSAGES);
    expect(figures.minPerSubscriber).toBe(MESSAGES);
    expect(figures.outOfOrder).toBe(0);
    expect(figures.acked).toBe(MESSAGES);
  }
}

describe('library references and their drivers', () => {
  const cases: [FanoutTransport, ContenderName][] = [
    ['sse', 'better-sse'],
    ['longpoll', 'socket.io-polling'],
    ['longpoll', 'faye'],
    ['ws', 'faye'],
    ['ws', 'sockjs'],
    ['sse', 'sockjs'],
    ['longpoll', 'sockjs'],
    ['sse', 'ours'],
    ['longpoll', 'ours'],
  ];
  for (const [transport, contender] of cases) {
    it(`${transport} on ${contender}: every subscriber gets every message, in order`, async () => {
      await deliversInOrder(transport, contender);
    }, 60_000);
  }

  it('names each library with the version installed', () => {
    expect(versionOf('better-sse')).toMatch(/^better-sse@\d+\.\d+\.\d+/);
    expect(versionOf('faye')).toMatch(/^faye@\d+\.\d+\.\d+/);
    expect(versionOf('sockjs')).toMatch(/^sockjs@\d+\.\d+\.\d+/);
    expect(versionOf('socket.io-polling')).toMatch(/^socket\.io@\d+\.\d+\.\d+/);
    expect(versionOf('node:http')).toBe(`node:http@${process.versions.node}`);
  });
});

describe('referenceLabel', () => {
  it('names the contender, its version and which of its transports a row measured', () => {
    const versions = { sockjs: 'sockjs@0.3.24', sse: 'node:http@20.20.2', 'socket.io-polling': 'socket.io@4.8.4' };
    expect(referenceLabel('sockjs', 'sse', versions)).toBe('sockjs 0.3.24 xhr-streaming');
    expect(referenceLabel('sockjs', 'longpoll', versions)).toBe('sockjs 0.3.24 xhr-polling');
    expect(referenceLabel('sse', 'sse', versions)).toBe('sse (node:http 20.20.2)');
    expect(referenceLabel('socket.io-polling', 'longpoll', versions)).toBe('socket.io-polling 4.8.4');
    expect(referenceLabel('ws', 'ws', undefined)).toBe('ws');
  });
});
