import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.ts';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import type { StartOptions } from '../../src/server/create.ts';
import { eventually, startServer } from './harness.ts';
import { runTest } from './suite.ts';

/**
 * The behaviour suite with compression on (issue 11 #6): the server offers
 * permessage-deflate and gzips every answer (threshold 1 byte, so that even an
 * empty poll answer is compressed), and every client accepts compressed answers.
 */
const COMPRESSED: StartOptions = { wsPerMessageDeflate: true, httpCompression: 'gzip', compressionThresholdBytes: 1 };

const ownSkips: Partial<Record<(typeof TRANSPORT_NAMES)[number], Record<string, string>>> = {
  poll: { 'too_many_connections: over the held-request limit, then recovers': 'as in poll.test.ts: a short poll is never held' },
  ws: { 'too_many_connections: over the held-request limit, then recovers': 'as in ws.test.ts: a WebSocket holds no request' },
};

for (const transport of TRANSPORT_NAMES) {
  runTest({ transport, alongside: true, skip: ownSkips[transport], clientOptions: { compression: true }, serverOptions: COMPRESSED });
}

/** The suite would pass over plain answers too: this proves they were compressed, by the server's own count. */
describe('compressed answers are what crossed the wire', () => {
  const body = 'a chat line that repeats itself; '.repeat(60);
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of closers.splice(0)) await close();
  });

  for (const transport of TRANSPORT_NAMES) {
    it(`${transport}: a ${body.length}-byte message arrives whole, having cost the server fewer body bytes`, async () => {
      const server = await startServer(COMPRESSED);
      closers.push(() => server.close());
      const client = createClient(transport, { baseUrl: server.url, name: `zip-${transport}`, compression: true, pollIntervalMs: 50, longPollWaitSeconds: 5 });
      closers.unshift(() => client.close());
      const received: string[] = [];
      client.on('message', (message) => received.push(message.body));
      await client.connect();
      await client.subscribe(['room:zip']);
      const before = server.stats().transports[transport].bytesOut.bodies;
      await client.publish('room:zip', body);
      await eventually(() => received, (list) => list.includes(body));
      const bodies = server.stats().transports[transport].bytesOut.bodies - before;
      expect(bodies).toBeGreaterThan(0);
      expect(bodies).toBeLessThan(body.length / 2);
    });
  }
});
