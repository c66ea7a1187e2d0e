import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * A WebSocket client written by hand on a raw socket, so tests can count every
 * byte, stop reading, and decode exactly what the server framed.
 */
export class RawWebSocket {
  received = Buffer.alloc(0);
  handshake = '';
  bytesSent = 0;

  private constructor(readonly socket: net.Socket) {}

  static async open(url: string, path: string, headers: Record<string, string> = {}): Promise<RawWebSocket> {
    const { hostname, port } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    const raw = new RawWebSocket(socket);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    raw.write(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      raw.received = Buffer.concat([raw.received, chunk]);
    });
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        const end = raw.received.indexOf('\r\n\r\n');
        if (end < 0) return;
        raw.handshake = raw.received.subarray(0, end + 4).toString('latin1');
        raw.received = raw.received.subarray(end + 4);
        socket.off('data', check);
        resolve();
      };
      socket.on('data', check);
      socket.once('error', reject);
    });
    return raw;
  }

  /** Sends one masked text frame (a client must mask); returns the bytes written. */
  sendText(text: string): number {
    const payload = Buffer.from(text);
    const mask = randomBytes(4);
    let header: Buffer;
    if (payload.length < 126) {
      header = Buffer.from([0x81, 0x80 | payload.length]);
    } else {
      header = Buffer.alloc(4);
      header[0] = 0x81;
      header[1] = 0x80 | 126;
      header.writeUInt16BE(payload.length, 2);
    }
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
    const frame = Buffer.concat([header, mask, masked]);
    this.write(frame);
    return frame.length;
  }

  /** Decodes the frames received so far (server frames are never masked). */
  frames(): Array<{ opcode: number; headerBytes: number; payload: Buffer }> {
    const frames: Array<{ opcode: number; headerBytes: number; payload: Buffer }> = [];
    let at = 0;
    const data = this.received;
    while (at + 2 <= data.length) {
      const opcode = data[at] & 0x0f;
      let length = data[at + 1] & 0x7f;
      let headerBytes = 2;
      if (length === 126) {
        if (at + 4 > data.length) break;
        length = data.readUInt16BE(at + 2);
        headerBytes = 4;
      } else if (length === 127) {
        if (at + 10 > data.length) break;
        length = Number(data.readBigUInt64BE(at + 2));
        headerBytes = 10;
      }
      if (at + headerBytes + length > data.length) break;
      frames.push({ opcode, headerBytes, payload: data.subarray(at + headerBytes, at + headerBytes + length) });
      at += headerBytes + length;
    }
    return frames;
  }

  texts(): string[] {
    return this.frames()
      .filter((frame) => frame.opcode === 1)
      .map((frame) => frame.payload.toString());
  }

  /** The close code of a received close frame, if any. */
  closeCode(): number | undefined {
    const close = this.frames().find((frame) => frame.opcode === 8);
    return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private write(bytes: Buffer): void {
    this.bytesSent += bytes.length;
    this.socket.write(bytes);
  }
}
