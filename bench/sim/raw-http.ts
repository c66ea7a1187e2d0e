/**
 * One HTTP/1.1 exchange written by hand on a raw keep-alive socket: the head
 * goes out exactly as given (no client library adds, drops or reorders a
 * line), the answer is read by its Content-Length (every answer of our server
 * has one). Two users:
 * - the 2009 replay (bench/headers/replay-2009.ts), whose heads must be the
 *   article's byte for byte, and whose line ends are counted apart
 *   (`countLineEnds`) because the article counted characters without them;
 * - the long-poll receive path (longpoll.ts), where node:http's client costs
 *   the harness ~100 µs per answer: with forty subscribers released at once
 *   that serial parsing lands on the later subscribers' latency as if the
 *   transport had spent it. The head it writes is the one node:http writes
 *   (`nodeStyleHead`), so no byte count moves.
 * The socket's bytes are counted by the client's WireMeter like every other socket's.
 */
import net from 'node:net';
import { gunzipSync } from 'node:zlib';
import { lineEndBytes } from '../headers/replay-2009.ts';
import { HttpFailure } from './http.ts';
import type { WireMeter } from './meter.ts';

export interface RawAnswer {
  status: number;
  body: string;
}

export interface RawConnectionOptions {
  /** Count the heads' CRLF bytes apart (the 2009 replay's article basis). */
  countLineEnds?: boolean;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * The request head node:http's client writes for a GET through a keep-alive
 * agent: the request line, the given headers in their order and spelling,
 * then `Host` and `Connection: keep-alive`.
 */
export function nodeStyleHead(target: URL, path: string, headers: Record<string, string>): Buffer {
  let head = `GET ${path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  head += `Host: ${target.host}\r\nConnection: keep-alive\r\n\r\n`;
  return Buffer.from(head, 'latin1');
}

/** A keep-alive connection reused for every exchange, reopened when the server closed it. */
export class RawConnection {
  private socket: net.Socket | undefined;

  constructor(
    private readonly target: URL,
    private readonly meter: WireMeter,
    private readonly options: RawConnectionOptions = { countLineEnds: true },
  ) {}

  private open(): net.Socket {
    if (this.socket && !this.socket.destroyed && this.socket.writable) return this.socket;
    const socket = net.connect({ host: this.target.hostname, port: Number(this.target.port), noDelay: true });
    socket.on('error', () => undefined);
    this.meter.track(socket);
    this.socket = socket;
    return socket;
  }

  /** Writes `head` (no body) and reads one answer; counts heads and bodies (and line ends when asked). */
  exchange(head: Buffer, timeoutMs: number): Promise<RawAnswer> {
    const socket = this.open();
    return new Promise<RawAnswer>((resolve, reject) => {
      let data: Buffer = Buffer.alloc(0);
      const finish = (error?: Error, answer?: RawAnswer): void => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('close', onClose);
        if (error) reject(error);
        else resolve(answer as RawAnswer);
      };
      // Not an answer (node:http's "socket hang up"): the caller counts no request for it.
      const onClose = (): void => finish(new Error('the server closed the connection before answering'));
      const onData = (chunk: Buffer): void => {
        data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
        const end = data.indexOf(HEAD_END);
        if (end < 0) return;
        const headText = data.subarray(0, end + 4).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1] ?? Number.NaN);
        if (!Number.isFinite(length)) {
          socket.destroy();
          return finish(new HttpFailure('an answer without Content-Length'));
        }
        if (data.length < end + 4 + length) return;
        const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(headText)?.[1] ?? 0);
        const raw = data.subarray(end + 4, end + 4 + length);
        // Bodies are the bytes on the wire: a gzipped answer counts compressed, then is decoded.
        const body = (/\r\ncontent-encoding:\s*gzip/i.test(headText) ? gunzipSync(raw) : raw).toString('utf8');
        this.meter.receivedHead(end + 4);
        this.meter.receivedBody(length);
        if (this.options.countLineEnds) this.meter.headerLineEnds(lineEndBytes(headText));
        // The server is done with this connection: the next exchange opens another.
        if (/\r\nconnection:\s*close/i.test(headText)) socket.end();
        // 304: a conditional poll's "nothing new", headers only.
        if ((status >= 200 && status < 300) || status === 304) finish(undefined, { status, body });
        else finish(new HttpFailure(`GET → ${status} ${body.slice(0, 200)}`, status, body));
      };
      const timer = setTimeout(() => {
        socket.destroy();
        finish(new HttpFailure(`GET timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.on('data', onData);
      socket.once('close', onClose);
      if (this.options.countLineEnds) this.meter.headerLineEnds(lineEndBytes(head.toString('latin1')));
      socket.write(head);
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}
