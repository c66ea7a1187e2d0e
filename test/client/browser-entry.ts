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

(globalThis as unknown as { runClient: typeof run }).runClient = run;
