import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NginxVariant } from '../../src/cluster/nginx-config.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { createSessionRaw } from '../behaviour/harness.ts';
import { NGINX_MISSING, startInProcessCluster } from './harness.ts';

/**
 * The teaching switch, measured: the same two nodes behind nginx's defaults
 * (buffering on) and behind the shipped config. Behind the defaults an event
 * stream's bytes wait in nginx's buffers — not even its headers reach the
 * client — until kilobytes of events have gathered; behind the shipped config
 * the stream opens at once and the first message arrives alone.
 */
const BODY = 'x'.repeat(1_000);
const MAX_PUBLISHES = 40;

interface Outcome {
  /** Publishes made before the stream's response reached the client. */
  publishedBeforeOpen: number;
  /** Messages in the first chunk of events the client read. */
  messagesInFirstRead: number;
}

async function openStreamWhilePublishing(redisUrl: string, variant: NginxVariant): Promise<Outcome> {
  const cluster = await startInProcessCluster(redisUrl, 2, {}, variant);
  const controller = new AbortController();
  try {
    const session = await createSessionRaw(cluster.url, `buffering-${variant}-${Date.now().toString(36)}`);
    const topic = `room:buffering-${variant}`;
    const url = `${cluster.url}/api/events?topics=${topic}&token=${encodeURIComponent(session.token)}`;
    let opened = false;
    const response = fetch(url, { signal: controller.signal }).then((answer) => {
      opened = true;
      return answer;
    });
    let published = 0;
    // The shipped config: the stream is open before anything is published.
    if (variant === 'tuned') await response;
    while (!opened && published < MAX_PUBLISHES) {
      const answer = await fetch(`${cluster.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
        body: JSON.stringify({ topic, body: BODY }),
      });
      expect(answer.status).toBe(201);
      published += 1;
    }
    const publishedBeforeOpen = published;
    if (variant === 'tuned') {
      const answer = await fetch(`${cluster.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
        body: JSON.stringify({ topic, body: BODY }),
      });
      expect(answer.status).toBe(201);
    }
    const reader = (await response).body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // Read until the first message event is complete; count the messages that came with it.
    while (!/"body":"x+"[^\n]*\n\n/.test(text)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    const messagesInFirstRead = (text.match(/"body":"x+"/g) ?? []).length;
    return { publishedBeforeOpen, messagesInFirstRead };
  } finally {
    controller.abort();
    await cluster.close();
  }
}

describe.skipIf(NGINX_MISSING)(`what nginx's buffering does to an event stream${NGINX_MISSING ? ` — skipped: ${NGINX_MISSING}` : ''}`, () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await OwnRedis.start();
  });
  afterAll(() => redis?.kill());

  it('the shipped config: the stream opens at once and the first message arrives alone', async () => {
    const outcome = await openStreamWhilePublishing(redis.url, 'tuned');
    expect(outcome).toEqual({ publishedBeforeOpen: 0, messagesInFirstRead: 1 });
  });

  it('nginx\'s defaults: nothing reaches the client until kilobytes of events have gathered, then they come at once', async () => {
    const outcome = await openStreamWhilePublishing(redis.url, 'defaults');
    expect(outcome.publishedBeforeOpen).toBeGreaterThan(1);
    expect(outcome.publishedBeforeOpen).toBeLessThan(MAX_PUBLISHES);
    expect(outcome.messagesInFirstRead).toBeGreaterThan(1);
  });
});
