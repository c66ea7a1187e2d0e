/**
 * How a lean HTTP subscriber speaks to each long-polling or streaming server.
 * Deliveries are found by their stamp in whatever bytes arrive
 * (deliveries.ts); a dialect only says which requests to make, when the
 * client is in the room ("live"), and which answers end it.
 *
 * - streams (one response that stays open): the lab's `GET /api/events`
 *   (ours and the bare reference), better-sse's, and SockJS's xhr-streaming
 *   (`POST …/xhr_streaming`, the subscribe sent through `…/xhr_send`; the
 *   response ends after SockJS's 128 KiB `response_limit` and is reopened, as
 *   SockJS's client does);
 * - long polls (a request per answer): the lab's `GET /api/longpoll` with its
 *   cursor, engine.io's polling (`GET` held, `POST` to send, packets joined by
 *   `\x1e`, ping `2` answered with `3`), Faye's Bayeux (`POST /faye`:
 *   handshake, subscribe, then `/meta/connect` again and again), and SockJS's
 *   xhr-polling (`POST …/xhr` held).
 */
import { bayeuxChannel } from './dialects.ts';
import { requestText, type HttpAnswer } from './http-wire.ts';

export type HttpDialectName = 'lab-sse' | 'better-sse' | 'sockjs-xhr-streaming' | 'lab-longpoll' | 'engine.io' | 'bayeux' | 'sockjs-xhr-polling';

export interface HttpContext {
  host: string;
  port: number;
  token: string;
  topic: string;
  waitSeconds: number;
  /** This client's own id where the protocol lets the client choose one (SockJS). */
  sid: string;
}

/** A request made on a connection of its own, outside the measured path (SockJS's xhr_send, engine.io's pong). */
export type SideRequest = { method: 'POST'; path: string; body: string; contentType: string };

export interface StreamDialect {
  kind: 'stream';
  request(ctx: HttpContext): string;
  /** Bytes that say the stream is open and the subscribe may be sent (SockJS `o`); null: none. */
  openMarker: Buffer | null;
  subscribe?(ctx: HttpContext): SideRequest;
  /** Bytes that say the client is in the room; null: the 200 head says it. */
  liveMarker: Buffer | null;
  /** Reopen the stream when the server ends it (SockJS's response_limit). */
  reopen: boolean;
}

export interface PollStep {
  /** The next request, or null to stop. */
  next: string | null;
  live?: boolean;
  error?: string;
  side?: SideRequest;
}

export interface PollDialect {
  kind: 'poll';
  /** A fresh state machine for one client: its first request, and what to do with each answer. */
  begin(ctx: HttpContext): { first: string; answer(answer: HttpAnswer): PollStep };
}

export type HttpDialect = StreamDialect | PollDialect;

const bearer = (ctx: HttpContext): Record<string, string> => ({ Authorization: `Bearer ${ctx.token}` });
const topicsQuery = (ctx: HttpContext): string => `topics=${encodeURIComponent(ctx.topic)}`;
const SOCKJS_SUBSCRIBED = Buffer.from('\\"op\\":\\"subscribed\\"');

function failure(answer: HttpAnswer, what: string): PollStep {
  return { next: null, error: `${what} answered ${answer.status} ${answer.body.toString('utf8', 0, 200)}` };
}

const labSse: StreamDialect = {
  kind: 'stream',
  request: (ctx) => requestText('GET', `/api/events?${topicsQuery(ctx)}`, ctx.host, ctx.port, { ...bearer(ctx), Accept: 'text/event-stream' }),
  openMarker: null,
  liveMarker: null,
  reopen: false,
};

// better-sse writes fields without the optional space: `event:subscribed`.
const betterSse: StreamDialect = { ...labSse, liveMarker: Buffer.from('event:subscribed') };

const sockjsPath = (ctx: HttpContext, transport: string): string => `/sockjs/000/${ctx.sid}/${transport}`;
const sockjsSubscribe = (ctx: HttpContext): SideRequest => ({
  method: 'POST', path: sockjsPath(ctx, 'xhr_send'), contentType: 'text/plain', body: JSON.stringify([JSON.stringify({ op: 'subscribe', topics: [ctx.topic], ref: 's' })]),
});

const sockjsXhrStreaming: StreamDialect = {
  kind: 'stream',
  // `Connection: close`, so that the end of a response (response_limit) is the end of the socket.
  request: (ctx) => requestText('POST', sockjsPath(ctx, 'xhr_streaming'), ctx.host, ctx.port, { Connection: 'close' }),
  // The prelude is 2,048 `h` and a newline; the open frame is the first `o`.
  openMarker: Buffer.from('o\n'),
  subscribe: sockjsSubscribe,
  liveMarker: SOCKJS_SUBSCRIBED,
  reopen: true,
};

const labLongpoll: PollDialect = {
  kind: 'poll',
  begin(ctx) {
    const longpoll = (cursor: string): string =>
      requestText('GET', `/api/longpoll?${topicsQuery(ctx)}&wait=${ctx.waitSeconds}&cursor=${encodeURIComponent(cursor)}`, ctx.host, ctx.port, bearer(ctx));
    return {
      // A short poll first: its cursor is where this client's room starts.
      first: requestText('GET', `/api/poll?${topicsQuery(ctx)}`, ctx.host, ctx.port, bearer(ctx)),
      answer(answer) {
        if (answer.status !== 200) return failure(answer, 'poll');
        const cursor = /"cursor":"([^"]+)"/.exec(answer.body.toString('latin1'))?.[1];
        if (!cursor) return { next: null, error: 'poll answer without a cursor' };
        return { next: longpoll(cursor), live: true };
      },
    };
  },
};

const ENGINE_SEPARATOR = 0x1e;

/** engine.io packets of a polling body. */
function enginePackets(body: Buffer): string[] {
  const packets: string[] = [];
  let from = 0;
  for (;;) {
    const at = body.indexOf(ENGINE_SEPARATOR, from);
    packets.push(body.toString('utf8', from, at === -1 ? body.length : at));
    if (at === -1) return packets;
    from = at + 1;
  }
}

const engineIo: PollDialect = {
  kind: 'poll',
  begin(ctx) {
    let sid = '';
    let phase: 'open' | 'connect' | 'subscribe' | 'poll' = 'open';
    const path = (): string => `/socket.io/?EIO=4&transport=polling&token=${encodeURIComponent(ctx.token)}${sid ? `&sid=${sid}` : ''}`;
    const post = (body: string): string => requestText('POST', path(), ctx.host, ctx.port, { 'Content-Type': 'text/plain;charset=UTF-8' }, body);
    const get = (): string => requestText('GET', path(), ctx.host, ctx.port, {});
    return {
      first: get(),
      answer(answer) {
        if (answer.status !== 200) return failure(answer, `engine.io ${phase}`);
        if (phase === 'open') {
          sid = /"sid":"([^"]+)"/.exec(answer.body.toString('utf8'))?.[1] ?? '';
          if (!sid) return { next: null, error: 'engine.io handshake without a sid' };
          phase = 'connect';
          return { next: post('40') };
        }
        if (phase === 'connect') {
          phase = 'subscribe';
          // Ack id 0: the answer is `430[…]`.
          return { next: post(`420${JSON.stringify(['subscribe', [ctx.topic]])}`) };
        }
        if (phase === 'subscribe') {
          phase = 'poll';
          return { next: get() };
        }
        const step: PollStep = { next: get() };
        for (const packet of enginePackets(answer.body)) {
          if (packet.startsWith('430')) step.live = true;
          else if (packet === '2') step.side = { method: 'POST', path: path(), contentType: 'text/plain;charset=UTF-8', body: '3' };
          else if (packet.startsWith('44') || packet === '1') return { next: null, error: `engine.io sent ${packet.slice(0, 200)}` };
        }
        return step;
      },
    };
  },
};

const bayeux: PollDialect = {
  kind: 'poll',
  begin(ctx) {
    let clientId = '';
    let phase: 'handshake' | 'subscribe' | 'connect' = 'handshake';
    let id = 0;
    const post = (message: Record<string, unknown>): string => {
      id += 1;
      return requestText('POST', '/faye', ctx.host, ctx.port, { 'Content-Type': 'application/json' }, JSON.stringify([{ ...message, id: String(id) }]));
    };
    const connect = (): string => post({ channel: '/meta/connect', clientId, connectionType: 'long-polling' });
    return {
      first: post({ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }),
      answer(answer) {
        if (answer.status !== 200) return failure(answer, `bayeux ${phase}`);
        const text = answer.body.indexOf('"/meta/') === -1 ? '' : answer.body.toString('utf8');
        if (text.includes('"successful":false')) return { next: null, error: `bayeux ${phase} refused: ${text.slice(0, 200)}` };
        if (phase === 'handshake') {
          clientId = /"clientId":"([^"]+)"/.exec(text)?.[1] ?? '';
          if (!clientId) return { next: null, error: 'bayeux handshake without a clientId' };
          phase = 'subscribe';
          return { next: post({ channel: '/meta/subscribe', clientId, subscription: bayeuxChannel(ctx.topic) }) };
        }
        if (phase === 'subscribe') {
          phase = 'connect';
          return { next: connect(), live: true };
        }
        return { next: connect() };
      },
    };
  },
};

const sockjsXhrPolling: PollDialect = {
  kind: 'poll',
  begin(ctx) {
    const xhr = (): string => requestText('POST', sockjsPath(ctx, 'xhr'), ctx.host, ctx.port, {});
    let opened = false;
    return {
      first: xhr(),
      answer(answer) {
        if (answer.status !== 200) return failure(answer, 'sockjs xhr');
        const first = answer.body[0];
        if (first === 0x63) return { next: null, error: `sockjs closed: ${answer.body.toString('utf8', 0, 200)}` };
        if (!opened && first === 0x6f) {
          opened = true;
          return { next: xhr(), side: sockjsSubscribe(ctx) };
        }
        return { next: xhr(), ...(answer.body.indexOf(SOCKJS_SUBSCRIBED) !== -1 ? { live: true } : {}) };
      },
    };
  },
};

export const HTTP_DIALECTS: Readonly<Record<HttpDialectName, HttpDialect>> = {
  'lab-sse': labSse,
  'better-sse': betterSse,
  'sockjs-xhr-streaming': sockjsXhrStreaming,
  'lab-longpoll': labLongpoll,
  'engine.io': engineIo,
  bayeux,
  'sockjs-xhr-polling': sockjsXhrPolling,
};
