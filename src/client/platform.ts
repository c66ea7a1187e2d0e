import { LabError, isErrorCode } from '../protocol/index.ts';
import type { ErrorCode } from '../protocol/index.ts';
import { NetworkError, errorFromResponse } from './http.ts';

/**
 * The browser's WebSocket and EventSource where they exist, the `ws` and
 * `eventsource` packages in Node; the rest of the client sees one small
 * shape for each. The packages are imported lazily so that a browser bundle
 * never loads them.
 */

export interface SocketHandlers {
  message(text: string): void;
  /** The socket closed after it had opened. */
  close(code: number, reason: string): void;
  /** Any sign of life from the server: a frame, a ping or a pong (Node only: a browser shows frames alone). */
  alive?(): void;
}

export interface OpenSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  /** Sends a WebSocket ping; absent in browsers, whose WebSocket cannot. */
  ping?(): void;
  /** Drops the connection at once, with no closing handshake (a dead link would never complete one). */
  terminate(): void;
}

export interface SocketOptions {
  /** The opening handshake must finish within this long (Node only; a browser applies its own). */
  handshakeTimeoutMs?: number;
  /** Offer permessage-deflate (Node only; a browser offers it by itself). */
  compression?: boolean;
}

/** Opens a WebSocket; rejects with the server's LabError when it refused the handshake (Node only). */
export async function openWebSocket(url: string, handlers: SocketHandlers, options: SocketOptions = {}): Promise<OpenSocket> {
  if (typeof globalThis.WebSocket === 'function') return openBrowserSocket(url, handlers);
  const { WebSocket: NodeWebSocket } = await import('ws');
  // permessage-deflate only when asked: its zlib memory and CPU are what the lab measures (issue 11 #6).
  const socket = new NodeWebSocket(url, { handshakeTimeout: options.handshakeTimeoutMs, perMessageDeflate: options.compression === true });
  socket.on('ping', () => handlers.alive?.());
  socket.on('pong', () => handlers.alive?.());
  let refusal: LabError | undefined;
  socket.on('unexpected-response', (_request, response) => {
    // Read the refusal's JSON body for its code, then end the attempt ourselves (ws leaves it to us).
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      const headers = new Headers();
      for (const [key, value] of Object.entries(response.headers)) {
        if (typeof value === 'string') headers.set(key, value);
      }
      void errorFromResponse(new Response(Buffer.concat(chunks), { status: response.statusCode ?? 500, headers }))
        .then((error) => { refusal = error; })
        .finally(() => socket.terminate());
    });
  });
  socket.on('error', () => {
    // Reported through 'close'; without a listener ws would throw.
  });
  return new Promise((resolve, reject) => {
    let opened = false;
    socket.on('open', () => {
      opened = true;
      resolve({
        send: (text) => socket.send(text),
        close: (code, reason) => socket.close(code, reason),
        ping: () => socket.ping(),
        terminate: () => socket.terminate(),
      });
    });
    socket.on('message', (data, isBinary) => {
      handlers.alive?.();
      handlers.message(isBinary ? '' : data.toString());
    });
    socket.on('close', (code, reason) => {
      if (opened) handlers.close(code, reason.toString());
      else reject(refusal ?? closeError(code, reason.toString()) ?? new NetworkError(`WebSocket closed before opening (${code})`));
    });
  });
}

function openBrowserSocket(url: string, handlers: SocketHandlers): Promise<OpenSocket> {
  const socket = new globalThis.WebSocket(url);
  return new Promise((resolve, reject) => {
    let opened = false;
    socket.onopen = () => {
      opened = true;
      resolve({
        send: (text) => socket.send(text),
        close: (code, reason) => socket.close(code, reason),
        terminate: () => socket.close(),
      });
    };
    socket.onmessage = (event) => {
      handlers.alive?.();
      handlers.message(typeof event.data === 'string' ? event.data : '');
    };
    socket.onclose = (event) => {
      // A browser hides why a handshake failed (always 1006): it looks like a network fault.
      if (opened) handlers.close(event.code, event.reason);
      else reject(closeError(event.code, event.reason) ?? new NetworkError(`WebSocket closed before opening (${event.code})`));
    };
  });
}

const CODES_BY_CLOSE: Record<number, ErrorCode> = {
  1001: 'shutting_down',
  1008: 'unauthorized',
  1009: 'payload_too_large',
  1013: 'too_many_connections',
};

/**
 * The LabError a close stands for, when the server said why: the reason text
 * names the code (PROTOCOL.md close codes); the close code alone is the fallback.
 * Undefined for a close that carries no error (1000, 1006, …).
 */
export function closeError(code: number, reason: string): LabError | undefined {
  const named = /^[a-z_]+/.exec(reason)?.[0];
  if (isErrorCode(named)) return new LabError(named, reason || named);
  const byClose = CODES_BY_CLOSE[code];
  return byClose ? new LabError(byClose, reason || `WebSocket closed with ${code}`) : undefined;
}

/** An EventSource as the SSE client uses it. */
export interface EventStream {
  onopen: ((event: Event) => void) | null;
  onerror: ((event: Event) => void) | null;
  addEventListener(type: 'subscribed' | 'message' | 'gap', listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}

export interface OpenedStream {
  stream: EventStream;
  /** Why the stream failed before it opened, when we could learn it. */
  refusal(): Promise<LabError | NetworkError>;
  /**
   * Whether `onBytes` sees every byte, keep-alive comments included (Node);
   * a browser's EventSource hides comments, so silence cannot be told from a quiet topic there.
   */
  observesBytes: boolean;
}

/**
 * Starts an event stream. In Node the `eventsource` package fetches through
 * us, so we add headers and read a refusal's JSON body. A browser's
 * EventSource shows neither: we ask the same URL once more with fetch to learn why.
 */
export async function openEventStream(
  url: string, headers: Record<string, string>, fetch = globalThis.fetch, onBytes?: () => void,
): Promise<OpenedStream> {
  if (typeof globalThis.EventSource === 'function') {
    const stream: EventStream = new globalThis.EventSource(url);
    return { stream, refusal: () => probeRefusal(url), observesBytes: false };
  }
  const { EventSource: NodeEventSource } = await import('eventsource');
  let refused: LabError | undefined;
  const stream = new NodeEventSource(url, {
    fetch: async (input, init) => {
      const response = await fetch(input, { ...init, headers: { ...headers, ...init.headers } });
      onBytes?.();
      if (!response.ok) refused = await errorFromResponse(response.clone());
      return onBytes && response.body ? tapped(response, onBytes) : response;
    },
  });
  return {
    stream: stream as unknown as EventStream,
    refusal: async () => refused ?? new NetworkError('event stream failed before opening'),
    observesBytes: true,
  };
}

/** The same response, its body passed through a tap that sees each chunk (the keep-alive comments too). */
function tapped(response: Response, onBytes: () => void): Response {
  const body = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      onBytes();
      controller.enqueue(chunk);
    },
  }));
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

async function probeRefusal(url: string): Promise<LabError | NetworkError> {
  const controller = new AbortController();
  try {
    const response = await globalThis.fetch(url, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    if (!response.ok) return await errorFromResponse(response);
    return new NetworkError('event stream failed before opening');
  } catch (error) {
    return new NetworkError(`event stream failed before opening: ${String(error)}`);
  } finally {
    controller.abort();
  }
}
