/**
 * One HTTP/1.1 exchange written by hand on a raw keep-alive socket: the head
 * goes out exactly as given (no client library adds, drops or reorders a
 * line), the answer is read by its Content-Length. For the 2009 replay
 * (bench/headers/replay-2009.ts); the socket's bytes are counted by the
 * client's WireMeter like every other socket's.
 */
import net from 'node:net';
import { lineEndBytes } from '../headers/replay-2009.ts';
import { HttpFailure } from './http.ts';
import type { WireMeter } from './meter.ts';

export interface RawAnswer {
  status: number;
  body: string;
}

/** A keep-alive connection reused for every exchange, reopened when the server closed it. */
export class RawConnection {
  private socket: net.Socket | undefined;

  constructor(private readonly target: URL, private readonly meter: WireMeter) {}

  private open(): net.Socket {
    if (this.socket && !this.socket.destroyed && this.socket.writable) return this.socket;
    const socket = net.connect({ host: this.target.hostname, port: Number(this.target.port), noDelay: true });
    socket.on('error', () => undefined);
    this.meter.track(socket);
    this.socket = socket;
    return socket;
  }

  /** Writes `head` (no body) and reads one answer; counts heads, bodies and the heads' line ends. */
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
      const onClose = (): void => finish(new HttpFailure('the server closed the connection before answering'));
      const onData = (chunk: Buffer): void => {
        data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) return;
        const headText = data.subarray(0, end + 4).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1] ?? Number.NaN);
        if (!Number.isFinite(length)) return finish(new HttpFailure('an answer without Content-Length'));
        if (data.length < end + 4 + length) return;
        const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(headText)?.[1] ?? 0);
        const body = data.subarray(end + 4, end + 4 + length).toString('utf8');
        this.meter.receivedHead(end + 4);
        this.meter.receivedBody(length);
        this.meter.headerLineEnds(lineEndBytes(headText));
        if (status >= 200 && status < 300) finish(undefined, { status, body });
        else finish(new HttpFailure(`raw GET → ${status} ${body.slice(0, 200)}`, status, body));
      };
      const timer = setTimeout(() => {
        socket.destroy();
        finish(new HttpFailure(`raw GET timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.on('data', onData);
      socket.once('close', onClose);
      this.meter.headerLineEnds(lineEndBytes(head.toString('latin1')));
      socket.write(head);
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}
