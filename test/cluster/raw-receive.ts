import { WebSocket } from 'ws';
import type { Message, PollResponse, ServerFrame, TransportName } from '../../src/protocol/index.ts';

/**
 * One receive by hand, on each transport's own wire, so that a test can see
 * which node answered it (nginx's `X-Lab-Upstream`): a poll or long poll
 * request, an event stream read up to its first message, or a socket that
 * subscribes and reads one message. Without a cursor it only subscribes and
 * returns the cursor of the topic's head.
 */
export interface RawReceipt {
  upstream: string | null;
  messages: Message[];
  cursor: string;
}

export async function receiveOnce(
  transport: TransportName, baseUrl: string, token: string, topic: string, cursor?: string,
): Promise<RawReceipt> {
  const query = new URLSearchParams({ topics: topic, token, ...(cursor ? { cursor } : {}) });
  if (transport === 'poll' || transport === 'longpoll') {
    if (transport === 'longpoll') query.set('wait', cursor ? '5' : '0');
    const response = await fetch(`${baseUrl}/api/${transport}?${query}`);
    if (response.status !== 200) throw new Error(`${transport}: HTTP ${response.status} ${await response.text()}`);
    const body = (await response.json()) as PollResponse;
    return { upstream: response.headers.get('x-lab-upstream'), messages: body.messages, cursor: body.cursor };
  }
  if (transport === 'sse') return receiveEvents(`${baseUrl}/api/events?${query}`, Boolean(cursor));
  return receiveFrames(baseUrl, token, topic, cursor);
}

async function receiveEvents(url: string, wantMessage: boolean): Promise<RawReceipt> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (response.status !== 200 || !response.body) throw new Error(`sse: HTTP ${response.status}`);
    const upstream = response.headers.get('x-lab-upstream');
    const decoder = new TextDecoder();
    let text = '';
    const reader = response.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      text += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const event = parseEvent(text.slice(0, end));
        text = text.slice(end + 2);
        if (event.type === 'subscribed' && !wantMessage) return { upstream, messages: [], cursor: event.id };
        if (event.type === 'message') return { upstream, messages: [JSON.parse(event.data) as Message], cursor: event.id };
      }
    }
    throw new Error('sse: the stream ended before a message');
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function parseEvent(block: string): { type: string; id: string; data: string } {
  const event = { type: 'message', id: '', data: '' };
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event.type = value;
    else if (field === 'id') event.id = value;
    else if (field === 'data') event.data += value;
  }
  return event;
}

async function receiveFrames(baseUrl: string, token: string, topic: string, cursor?: string): Promise<RawReceipt> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  let upstream: string | null = null;
  socket.once('upgrade', (response) => {
    const value = response.headers['x-lab-upstream'];
    upstream = typeof value === 'string' ? value : null;
  });
  try {
    return await new Promise<RawReceipt>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('ws: no message within 10 s')), 10_000);
      socket.once('error', reject);
      socket.once('open', () => socket.send(JSON.stringify({ op: 'subscribe', ref: 's', topics: [topic], cursor })));
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as ServerFrame;
        if (frame.op === 'subscribed' && !cursor) {
          clearTimeout(timer);
          resolve({ upstream, messages: [], cursor: frame.cursor });
        } else if (frame.op === 'message') {
          clearTimeout(timer);
          const { op: _op, cursor: after, ...message } = frame;
          resolve({ upstream, messages: [message], cursor: after });
        } else if (frame.op === 'error') {
          clearTimeout(timer);
          reject(new Error(`ws: ${frame.code} ${frame.message}`));
        }
      });
    });
  } finally {
    socket.close();
  }
}
