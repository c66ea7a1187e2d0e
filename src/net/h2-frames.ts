import { Duplex } from 'node:stream';

/**
 * Counts an HTTP/2 byte stream by what it carries (RFC 9113 § 4, § 6), for a
 * client that owns its socket: node's http2 reads its socket in C++, so neither
 * side can see frames unless the bytes pass through JavaScript first
 * (`countFrames` below). One counter per direction; every byte lands in
 * exactly one part, so the parts add up to what crossed the socket (under TLS,
 * to the plaintext: the TLS record overhead is the TCP socket's bytes less these).
 */
export interface FrameBytes {
  /** The client connection preface (`PRI * HTTP/2.0…`, 24 bytes), client → server only. */
  preface: number;
  /** 9 bytes per frame, whatever its type. */
  frameHeaders: number;
  /** HEADERS and CONTINUATION payloads: the HPACK header blocks (after HPACK), padding and priority fields excluded. */
  headerBlocks: number;
  /** DATA payloads, padding excluded: the bodies as HTTP sees them. */
  data: number;
  /** Padding and priority fields of DATA and HEADERS. */
  padding: number;
  /** Payloads of SETTINGS, WINDOW_UPDATE, PING, GOAWAY, RST_STREAM, PRIORITY and any other type. */
  control: number;
  /** Frames seen, by type name. */
  frames: Record<string, number>;
}

/** What one stream carried in one direction: its header blocks and DATA, each after framing. */
export interface StreamBytes {
  headerBlocks: number;
  data: number;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const FRAME_HEADER = 9;
const TYPE_NAMES = ['DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE', 'PING', 'GOAWAY', 'WINDOW_UPDATE', 'CONTINUATION'];
const DATA = 0;
const HEADERS = 1;
const CONTINUATION = 9;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;

export class FrameCounter {
  readonly bytes: FrameBytes = { preface: 0, frameHeaders: 0, headerBlocks: 0, data: 0, padding: 0, control: 0, frames: {} };
  /** Per stream id (≥ 1). */
  readonly streams = new Map<number, StreamBytes>();
  #prefaceLeft: number;
  /** Bytes of an incomplete frame header, kept until the 9 are there. */
  #header = Buffer.alloc(0);
  /** The payload of the current frame still to come, and how it is counted. */
  #payloadLeft = 0;
  #type = 0;
  #stream = 0;
  /** The current frame's pad length byte and priority fields still to come (they lead its payload). */
  #leadingLeft = 0;
  /** The current frame's padding still to come (it ends its payload; known from the first payload byte). */
  #paddingLeft = 0;
  #awaitingPadLength = false;

  /** `fromClient`: this direction begins with the connection preface. */
  constructor(fromClient: boolean) {
    this.#prefaceLeft = fromClient ? PREFACE.length : 0;
  }

  push(chunk: Buffer): void {
    let offset = 0;
    if (this.#prefaceLeft > 0) {
      const taken = Math.min(this.#prefaceLeft, chunk.length);
      this.#prefaceLeft -= taken;
      this.bytes.preface += taken;
      offset = taken;
    }
    while (offset < chunk.length) {
      if (this.#payloadLeft > 0) {
        const taken = Math.min(this.#payloadLeft, chunk.length - offset);
        this.#payload(chunk, offset, taken);
        this.#payloadLeft -= taken;
        offset += taken;
        continue;
      }
      const need = FRAME_HEADER - this.#header.length;
      const taken = Math.min(need, chunk.length - offset);
      this.#header = Buffer.concat([this.#header, chunk.subarray(offset, offset + taken)]);
      offset += taken;
      if (this.#header.length === FRAME_HEADER) this.#beginFrame(this.#header);
    }
  }

  #beginFrame(header: Buffer): void {
    this.#header = Buffer.alloc(0);
    const length = header.readUIntBE(0, 3);
    const type = header[3];
    const flags = header[4];
    this.#type = type;
    this.#stream = header.readUInt32BE(5) & 0x7fffffff;
    this.#payloadLeft = length;
    this.bytes.frameHeaders += FRAME_HEADER;
    const name = TYPE_NAMES[type] ?? `type ${type}`;
    this.bytes.frames[name] = (this.bytes.frames[name] ?? 0) + 1;
    const padded = (type === DATA || type === HEADERS) && (flags & FLAG_PADDED) !== 0;
    this.#awaitingPadLength = padded && length > 0;
    this.#paddingLeft = 0;
    this.#leadingLeft = (padded ? 1 : 0) + (type === HEADERS && (flags & FLAG_PRIORITY) !== 0 ? 5 : 0);
  }

  /** A piece of the current frame's payload; `#payloadLeft` still includes it. */
  #payload(chunk: Buffer, offset: number, length: number): void {
    if (this.#awaitingPadLength) {
      this.#paddingLeft = chunk[offset];
      this.#awaitingPadLength = false;
    }
    if (this.#type !== DATA && this.#type !== HEADERS && this.#type !== CONTINUATION) {
      this.bytes.control += length;
      return;
    }
    const leading = Math.min(length, this.#leadingLeft);
    this.#leadingLeft -= leading;
    // The piece's share of the trailing padding: whatever of it lies in the frame's last `#paddingLeft` bytes.
    const after = this.#payloadLeft - length;
    const trailing = Math.min(length - leading, Math.max(0, this.#paddingLeft - after));
    this.#paddingLeft -= trailing;
    this.bytes.padding += leading + trailing;
    const content = length - leading - trailing;
    const stream = this.streams.get(this.#stream) ?? { headerBlocks: 0, data: 0 };
    this.streams.set(this.#stream, stream);
    if (this.#type === DATA) {
      this.bytes.data += content;
      stream.data += content;
    } else {
      this.bytes.headerBlocks += content;
      stream.headerBlocks += content;
    }
  }
}

/** Total bytes a counter saw (preface, frame headers and payloads). */
export function countedTotal(bytes: FrameBytes): number {
  return bytes.preface + bytes.frameHeaders + bytes.headerBlocks + bytes.data + bytes.padding + bytes.control;
}

/**
 * Wraps a connected socket (TCP for h2c, a TLSSocket for h2 over TLS) so that
 * every byte each way passes a FrameCounter: give the result to
 * `http2.connect(url, { createConnection: () => wrapped })`. It costs a copy
 * through JavaScript per chunk — fine for measuring, not for load.
 */
export function countFrames(socket: Duplex): { stream: Duplex; sent: FrameCounter; received: FrameCounter } {
  const sent = new FrameCounter(true);
  const received = new FrameCounter(false);
  const stream = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      sent.push(chunk);
      socket.write(chunk, callback);
    },
    read() {
      socket.resume();
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    received.push(chunk);
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on('end', () => stream.push(null));
  socket.on('error', (error) => stream.destroy(error));
  socket.on('close', () => stream.destroy());
  return { stream, sent, received };
}
