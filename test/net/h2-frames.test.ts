import http2 from 'node:http2';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { countedTotal, countFrames, FrameCounter } from '../../src/net/h2-frames.ts';
import { closeAll, createSession, eventually, startServer } from '../server/helpers.ts';

afterEach(closeAll);

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(stream, 5);
  return Buffer.concat([header, payload]);
}

describe('FrameCounter', () => {
  it('splits preface, frame headers, header blocks, DATA, padding and control, whatever the chunking', () => {
    const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
    // HEADERS, PADDED|PRIORITY: pad length 3, 5 priority bytes, a 10-byte block, 3 bytes of padding.
    const headers = frame(1, 0x8 | 0x20 | 0x4, 1, Buffer.concat([Buffer.from([3]), Buffer.alloc(5), Buffer.alloc(10, 0x82), Buffer.alloc(3)]));
    // DATA, PADDED: pad length 2, 7 bytes of body, 2 of padding.
    const data = frame(0, 0x8 | 0x1, 1, Buffer.concat([Buffer.from([2]), Buffer.from('{"a":1}'), Buffer.alloc(2)]));
    const settings = frame(4, 0, 0, Buffer.alloc(6));
    const windowUpdate = frame(8, 0, 0, Buffer.alloc(4));
    const wire = Buffer.concat([preface, settings, headers, data, windowUpdate]);
    for (const size of [1, 5, wire.length]) {
      const counter = new FrameCounter(true);
      for (let offset = 0; offset < wire.length; offset += size) counter.push(wire.subarray(offset, offset + size));
      expect(counter.bytes).toMatchObject({ preface: 24, frameHeaders: 36, headerBlocks: 10, data: 7, padding: 1 + 5 + 3 + 1 + 2, control: 10 });
      expect(counter.bytes.frames).toEqual({ SETTINGS: 1, HEADERS: 1, DATA: 1, WINDOW_UPDATE: 1 });
      expect(counter.streams.get(1)).toEqual({ headerBlocks: 10, data: 7 });
      expect(countedTotal(counter.bytes)).toBe(wire.length);
    }
  });
});

describe('countFrames on a real h2c session with the lab server', () => {
  it('adds up to the TCP socket\'s bytes, agrees with the server\'s count, and shows HPACK at work', async () => {
    const server = await startServer({ h2cPort: 0 });
    const alice = await createSession(server, 'alice');
    const before = server.stats().other;
    const { hostname, port } = new URL(server.h2cUrl!);
    const tcp = net.connect(Number(port), hostname);
    await new Promise<void>((resolve) => tcp.once('connect', resolve));
    const { stream, sent, received } = countFrames(tcp);
    const session = http2.connect(server.h2cUrl!, { createConnection: () => stream });
    const poll = async (): Promise<{ id: number; length: number }> => {
      const request = session.request({ ':path': '/api/poll?topics=room:lobby', authorization: `Bearer ${alice.token}`, 'user-agent': 'frame-counter-test/1.0' });
      let length = 0;
      request.on('data', (chunk: Buffer) => (length += chunk.length));
      await new Promise((resolve) => request.on('close', resolve));
      return { id: request.id!, length };
    };
    const first = await poll();
    const second = await poll();
    session.close();
    await new Promise((resolve) => tcp.once('close', resolve));
    expect(countedTotal(sent.bytes)).toBe(tcp.bytesWritten);
    expect(countedTotal(received.bytes)).toBe(tcp.bytesRead);
    // The second request's headers are mostly indexes into the HPACK table.
    const firstBlock = sent.streams.get(first.id)!.headerBlocks;
    const secondBlock = sent.streams.get(second.id)!.headerBlocks;
    expect(secondBlock).toBeLessThan(firstBlock);
    // DATA is the body, byte for byte.
    expect(received.streams.get(second.id)!.data).toBe(second.length);
    expect(received.bytes.frames.SETTINGS).toBeGreaterThanOrEqual(1);
    // The server's count of the same socket (poll's share plus other's: the preface and SETTINGS before the first request).
    const counted = await eventually(() => server.stats(), (stats) => {
      const poll = stats.transports.poll;
      const bytesIn = poll.bytesIn.headers + poll.bytesIn.framing + poll.bytesIn.bodies + stats.other.bytesIn - before.bytesIn;
      return bytesIn === tcp.bytesWritten;
    });
    const out = counted.transports.poll.bytesOut;
    expect(out.headers + out.framing + out.bodies + counted.other.bytesOut - before.bytesOut).toBe(tcp.bytesRead);
  });
});
