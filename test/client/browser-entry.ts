/**
 * Runs in Chromium (bundled by Vite in browser.test.ts): the clients on the
 * browser's own fetch, WebSocket and EventSource, against the page's origin.
 */
import { createClient } from '../../src/client/index.ts';
import type { Client } from '../../src/client/index.ts';
import type { TransportName } from '../../src/protocol/index.ts';
import { eventually } from '../wait.ts';

export interface BrowserRun {
  transport: TransportName;
  nativeWebSocket: boolean;
  nativeEventSource: boolean;
  bodies: string[];
  seqs: number[];
  states: string[];
  forbiddenCode: string | undefined;
}


async function run(transport: TransportName, tag: string): Promise<BrowserRun> {
  const options = { baseUrl: '', pollIntervalMs: 30, longPollWaitSeconds: 2, backoff: { minMs: 10, maxMs: 200 } };
  const clients: Client[] = [];
  try {
    const reader = createClient(transport, { ...options, name: `reader-${transport}-${tag}` });
    const writer = createClient(transport, { ...options, name: `writer-${transport}-${tag}` });
    clients.push(reader, writer);
    const bodies: string[] = [];
    const seqs: number[] = [];
    const states: string[] = [];
    reader.on('state', (state) => states.push(state));
    reader.on('message', (message) => {
      bodies.push(message.body);
      seqs.push(message.seq);
    });
    const topic = `room:browser-${transport}-${tag}`;
    await reader.subscribe([topic]);
    for (const body of ['one', 'two', '<img src=x onerror=alert(1)>']) await writer.publish(topic, body);
    await eventually(() => bodies.length >= 3, 'three bodies in the browser', 10_000);
    const forbiddenCode = await reader.subscribe([`user:${writer.name}`]).then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );
    return {
      transport,
      nativeWebSocket: typeof globalThis.WebSocket === 'function',
      nativeEventSource: typeof globalThis.EventSource === 'function',
      bodies,
      seqs,
      states,
      forbiddenCode,
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

/** What a conditional poll client saw in the browser: the status of every poll as its code got it. */
export interface ConditionalRun {
  statuses: number[];
  ifNoneMatch: (string | null)[];
  bodies: string[];
  cursor: string | undefined;
}

/**
 * A conditional poll client (`conditional: true`) on the browser's fetch: the
 * 304 to an explicit If-None-Match must reach the client (cache 'no-store'),
 * not be swapped for a stored 200 by the HTTP cache.
 */
async function runConditional(tag: string): Promise<ConditionalRun> {
  const statuses: number[] = [];
  const ifNoneMatch: (string | null)[] = [];
  const recording: typeof globalThis.fetch = async (input, init) => {
    const response = await globalThis.fetch(input, init);
    if (new URL(String(input)).pathname === '/api/poll') {
      statuses.push(response.status);
      ifNoneMatch.push(new Headers(init?.headers).get('if-none-match'));
    }
    return response;
  };
  const options = { baseUrl: '', pollIntervalMs: 30, backoff: { minMs: 10, maxMs: 200 } };
  const reader = createClient('poll', { ...options, name: `cond-reader-${tag}`, conditional: true, fetch: recording });
  const writer = createClient('poll', { ...options, name: `cond-writer-${tag}` });
  try {
    const bodies: string[] = [];
    reader.on('message', (message) => bodies.push(message.body));
    const topic = `room:browser-conditional-${tag}`;
    await reader.subscribe([topic]);
    await eventually(() => statuses.filter((status) => status === 304).length >= 2, 'two 304s in the browser', 10_000);
    await writer.publish(topic, 'after 304');
    await eventually(() => bodies.length >= 1, 'the message in the browser', 10_000);
    const seen = statuses.length;
    await eventually(() => statuses.slice(seen).includes(304), 'a 304 after the message', 10_000);
    return { statuses, ifNoneMatch, bodies, cursor: reader.cursor };
  } finally {
    await Promise.all([reader.close(), writer.close()]);
  }
}

(globalThis as unknown as { runClient: typeof run }).runClient = run;
(globalThis as unknown as { runConditional: typeof runConditional }).runConditional = runConditional;
