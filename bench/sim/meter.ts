/**
 * Wire bytes of one simulated client, counted on its real sockets
 * (`socket.bytesWritten` / `bytesRead`, summed over every socket it ever used)
 * and split by what the client parsed: the parts it can see exactly are
 * recorded, the rest of each direction is the remainder — request heads going
 * up (bodies and WebSocket frame headers are known), framing coming down
 * (response heads and bodies are known; chunk sizes, SSE field names and
 * WebSocket frame headers are what is left).
 */
import type { Socket } from 'node:net';
import type { ByteSplit } from '../../src/protocol/index.ts';

export interface MeterReading {
  up: ByteSplit;
  down: ByteSplit;
  /** CRLF bytes of the heads, where the client wrote or parsed them itself (the 2009 replay); 0 elsewhere. */
  headerLineEnds: number;
}

export class WireMeter {
  private readonly live = new Set<Socket>();
  private closedRead = 0;
  private closedWritten = 0;
  private upBodies = 0;
  private upFraming = 0;
  private downHeaders = 0;
  private downBodies = 0;
  private lineEnds = 0;

  /** Counts this socket from now on (its bytes so far included); idempotent. */
  track(socket: Socket): void {
    if (this.live.has(socket)) return;
    this.live.add(socket);
    socket.once('close', () => {
      this.closedRead += socket.bytesRead;
      this.closedWritten += socket.bytesWritten;
      this.live.delete(socket);
    });
  }

  get sockets(): number {
    return this.live.size;
  }

  sentBody(bytes: number): void {
    this.upBodies += bytes;
  }

  sentFraming(bytes: number): void {
    this.upFraming += bytes;
  }

  receivedHead(bytes: number): void {
    this.downHeaders += bytes;
  }

  receivedBody(bytes: number): void {
    this.downBodies += bytes;
  }

  /** Line-end bytes of a head counted in `headers` (the article counted header characters without them). */
  headerLineEnds(bytes: number): void {
    this.lineEnds += bytes;
  }

  read(): MeterReading {
    let read = this.closedRead;
    let written = this.closedWritten;
    for (const socket of this.live) {
      read += socket.bytesRead;
      written += socket.bytesWritten;
    }
    return {
      up: { headers: written - this.upBodies - this.upFraming, framing: this.upFraming, bodies: this.upBodies },
      down: { headers: this.downHeaders, framing: read - this.downHeaders - this.downBodies, bodies: this.downBodies },
      headerLineEnds: this.lineEnds,
    };
  }
}

/** Bytes of a response head as the server wrote it: status line, `Name: value` lines, blank line. */
export function responseHeadBytes(
  httpVersion: string,
  statusCode: number,
  statusMessage: string,
  rawHeaders: string[],
): number {
  let bytes = Buffer.byteLength(`HTTP/${httpVersion} ${statusCode} ${statusMessage}\r\n`);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    bytes += Buffer.byteLength(rawHeaders[i]) + 2 + Buffer.byteLength(rawHeaders[i + 1]) + 2;
  }
  return bytes + 2;
}

/** Header bytes of a masked client → server WebSocket frame (RFC 6455 § 5.2). */
export function clientFrameHeaderBytes(payloadBytes: number): number {
  if (payloadBytes < 126) return 6;
  if (payloadBytes < 65536) return 8;
  return 14;
}

export function addSplit(into: ByteSplit, more: ByteSplit, sign = 1): void {
  into.headers += sign * more.headers;
  into.framing += sign * more.framing;
  into.bodies += sign * more.bodies;
}
