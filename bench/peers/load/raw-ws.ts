/**
 * A minimal WebSocket client on a bare TCP socket (RFC 6455), so that tens of
 * thousands of subscribers cost the load process little: no UTF-8
 * validation, no event objects, no JSON — payloads are handed over as Buffers.
 * The same client talks to our server and to every reference, so whatever it
 * costs is the same on both sides of a ratio.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;

export interface RawWebSocketHandlers {
  onPayload: (payload: Buffer) => void;
  onClose?: () => void;
}

export class RawWebSocket {
  private pending: Buffer | null = null;
  private closed = false;
  /** The id a dialect's handshake handed out (Bayeux's clientId), or null. */
  session: string | null = null;

  private constructor(private readonly socket: Socket, private readonly handlers: RawWebSocketHandlers) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      handlers.onClose?.();
    });
    socket.on('error', () => socket.destroy());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Opens the socket and completes the upgrade; rejects on a non-101 answer. */
  static open(host: string, port: number, path: string, handlers: RawWebSocketHandlers, timeoutMs = 20_000): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      let head: Buffer = Buffer.alloc(0);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`websocket upgrade timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onHead = (chunk: Buffer): void => {
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        clearTimeout(timer);
        socket.removeListener('data', onHead);
        socket.removeListener('error', onError);
        const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
        if (!/^HTTP\/1\.1 101/.test(statusLine)) {
          socket.destroy();
          reject(new Error(`websocket upgrade refused: ${statusLine}`));
          return;
        }
        const client = new RawWebSocket(socket, handlers);
        resolve(client);
        const rest = head.subarray(end + 4);
        if (rest.length > 0) client.onData(rest);
      };
      const onError = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      socket.on('data', onHead);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
    });
  }

  /** Sends one text frame. The mask is all zeros: legal, and free to apply. */
  send(text: string): void {
    this.sendFrame(OP_TEXT, Buffer.from(text));
  }

  close(): void {
    if (this.closed) return;
    this.sendFrame(OP_CLOSE, Buffer.from([0x03, 0xe8]));
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.closed) return;
    const length = payload.length;
    const header = length < 126 ? Buffer.alloc(6) : length < 65536 ? Buffer.alloc(8) : Buffer.alloc(14);
    header[0] = 0x80 | opcode;
    if (length < 126) {
      header[1] = 0x80 | length;
    } else if (length < 65536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(length, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(length), 2);
    }
    this.socket.write(Buffer.concat([header, payload]));
  }

  private onData(chunk: Buffer): void {
    let buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let offset = 0;
    while (buffer.length - offset >= 2) {
      const opcode = buffer[offset] & 0x0f;
      const masked = (buffer[offset + 1] & 0x80) !== 0;
      let length = buffer[offset + 1] & 0x7f;
      let headerLength = 2;
      if (length === 126) {
        if (buffer.length - offset < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        headerLength = 4;
      } else if (length === 127) {
        if (buffer.length - offset < 10) break;
        length = Number(buffer.readBigUInt64BE(offset + 2));
        headerLength = 10;
      }
      const maskLength = masked ? 4 : 0;
      const frameEnd = offset + headerLength + maskLength + length;
      if (buffer.length < frameEnd) break;
      const payload = buffer.subarray(offset + headerLength + maskLength, frameEnd);
      if (masked) {
        const mask = buffer.subarray(offset + headerLength, offset + headerLength + 4);
        for (let i = 0; i < payload.length; i += 1) payload[i] ^= mask[i & 3];
      }
      offset = frameEnd;
      this.onFrame(opcode, payload);
    }
    if (offset < buffer.length) {
      buffer = buffer.subarray(offset);
      // Copy so that a small remainder does not pin a large chunk in memory.
      this.pending = Buffer.from(buffer);
    }
  }

  private onFrame(opcode: number, payload: Buffer): void {
    if (opcode === OP_TEXT || opcode === OP_BINARY || opcode === OP_CONTINUATION) {
      this.handlers.onPayload(payload);
    } else if (opcode === OP_PING) {
      this.sendFrame(0xa, Buffer.from(payload));
    } else if (opcode === OP_CLOSE) {
      this.socket.end();
    }
  }
}
