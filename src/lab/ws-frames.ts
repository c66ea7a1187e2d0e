/**
 * Splits a WebSocket byte stream into frames (RFC 6455 § 5.2) for the wire
 * inspector: where each frame's header ends, its mask, its payload. It reads
 * what the proxy saw; it never answers or validates like a real endpoint.
 */

export interface WireFrame {
  fin: boolean;
  /** 1 text, 2 binary, 8 close, 9 ping, 10 pong, 0 continuation. */
  opcode: number;
  /** Bytes of the header: 2, + 2 or 8 for extended lengths, + 4 for the mask key. */
  headerLength: number;
  /** 4 when the frame is masked (client → server), else 0; the last bytes of the header. */
  maskLength: number;
  payloadLength: number;
  /** The whole frame as sent (header + payload, the payload still masked). */
  bytes: Buffer;
  /** The payload unmasked, as UTF-8 (text and close frames). */
  text: string;
}

/** Frames longer than this are kept cut; the inspector shows small frames. */
const MAX_KEPT_BYTES = 64 * 1024;

export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the frames they completed. */
  push(chunk: Buffer): WireFrame[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: WireFrame[] = [];
    for (;;) {
      const frame = readFrame(this.buffered);
      if (!frame) break;
      frames.push(frame.frame);
      this.buffered = this.buffered.subarray(frame.consumed);
    }
    return frames;
  }
}

export function readFrame(data: Buffer): { frame: WireFrame; consumed: number } | null {
  if (data.length < 2) return null;
  const first = data[0];
  const second = data[1];
  const masked = (second & 0x80) !== 0;
  let payloadLength = second & 0x7f;
  let headerLength = 2;
  if (payloadLength === 126) {
    if (data.length < 4) return null;
    payloadLength = data.readUInt16BE(2);
    headerLength = 4;
  } else if (payloadLength === 127) {
    if (data.length < 10) return null;
    payloadLength = Number(data.readBigUInt64BE(2));
    headerLength = 10;
  }
  const maskLength = masked ? 4 : 0;
  headerLength += maskLength;
  const total = headerLength + payloadLength;
  if (data.length < total) return null;

  const bytes = Buffer.from(data.subarray(0, Math.min(total, MAX_KEPT_BYTES)));
  const payload = Buffer.from(data.subarray(headerLength, Math.min(total, headerLength + MAX_KEPT_BYTES)));
  if (masked) {
    const mask = data.subarray(headerLength - 4, headerLength);
    for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
  }
  const opcode = first & 0x0f;
  const text = opcode === 8 ? payload.subarray(2).toString('utf8') : payload.toString('utf8');
  return {
    frame: { fin: (first & 0x80) !== 0, opcode, headerLength, maskLength, payloadLength, bytes, text },
    consumed: total,
  };
}
