/**
 * The wire meter of an HTTP/2 simulated client: its HTTP/1.1 sockets (the
 * session is taken there: express's routes are not served over h2) as
 * WireMeter counts them, plus its h2 socket — total bytes from the TCP socket,
 * split with the frame counters the way the server splits them (docs/api.md
 * "Byte accounting over HTTP/2"): bodies are what HTTP carries (request DATA;
 * answer bodies, SSE data values), framing is the transport's own (SSE field
 * names and separators: DATA that is not body), headers are the rest — HPACK
 * blocks, 9-byte frame headers, SETTINGS, WINDOW_UPDATE, PING, the preface.
 */
import type { Socket } from 'node:net';
import { countedTotal, type FrameBytes, type FrameCounter } from '../../src/net/h2-frames.ts';
import type { H2Counters, H2Direction } from '../run/ipc.ts';
import { WireMeter, type MeterReading } from './meter.ts';

interface Attached {
  socket: Socket;
  sent: FrameCounter;
  received: FrameCounter;
}

export class H2WireMeter extends WireMeter {
  private h2: Attached | undefined;
  /** Bodies of h2 answers as HTTP sees them. */
  private h2BodiesDown = 0;

  /** From here on, bodies the client reports are the h2 session's. */
  attach(socket: Socket, sent: FrameCounter, received: FrameCounter): void {
    this.h2 = { socket, sent, received };
  }

  override sentBody(bytes: number): void {
    // Over h2 a request body is DATA, which the frame counter sees.
    if (!this.h2) super.sentBody(bytes);
  }

  override receivedBody(bytes: number): void {
    if (this.h2) this.h2BodiesDown += bytes;
    else super.receivedBody(bytes);
  }

  override get sockets(): number {
    return super.sockets + (this.h2 && !this.h2.socket.destroyed ? 1 : 0);
  }

  override read(): MeterReading {
    const reading = super.read();
    if (!this.h2) return reading;
    const { socket, sent, received } = this.h2;
    reading.up.bodies += sent.bytes.data;
    reading.up.headers += socket.bytesWritten - sent.bytes.data;
    reading.down.bodies += this.h2BodiesDown;
    reading.down.framing += received.bytes.data - this.h2BodiesDown;
    reading.down.headers += socket.bytesRead - received.bytes.data;
    return reading;
  }

  /** The h2 session's frames and per-request header blocks so far (absent before it opened). */
  h2Counters(): H2Counters | undefined {
    if (!this.h2) return undefined;
    const { sent, received } = this.h2;
    const counters: H2Counters = {
      sessions: 1,
      up: direction(sent.bytes, this.h2.socket.bytesWritten),
      down: direction(received.bytes, this.h2.socket.bytesRead),
      first: { requests: 0, up: 0, down: 0 },
      rest: { requests: 0, up: 0, down: 0 },
      publishFirst: { requests: 0, up: 0, down: 0 },
      publishRest: { requests: 0, up: 0, down: 0 },
    };
    // Streams in the order they were opened (ids grow): the first of each kind is the one HPACK met first.
    const ids = [...sent.streams.keys()].sort((a, b) => a - b);
    let receiveSeen = false;
    let publishSeen = false;
    for (const id of ids) {
      const stream = sent.streams.get(id)!;
      // A publish is the only request with a body.
      const publish = stream.data > 0;
      const part = publish
        ? publishSeen ? counters.publishRest : counters.publishFirst
        : receiveSeen ? counters.rest : counters.first;
      if (publish) publishSeen = true;
      else receiveSeen = true;
      part.requests += 1;
      part.up += stream.headerBlocks;
      part.down += received.streams.get(id)?.headerBlocks ?? 0;
    }
    return counters;
  }
}

/** `tcpBytes`: the TCP socket's count of this direction; what the frames do not explain is TLS (0 on h2c). */
function direction(bytes: FrameBytes, tcpBytes: number): H2Direction {
  return {
    tls: Math.max(0, tcpBytes - countedTotal(bytes)),
    preface: bytes.preface,
    frameHeaders: bytes.frameHeaders,
    headerBlocks: bytes.headerBlocks,
    data: bytes.data,
    padding: bytes.padding,
    control: bytes.control,
    frames: { ...bytes.frames },
  };
}
