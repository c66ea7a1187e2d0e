/**
 * The lean HTTP clients' parsing: a delivery's stamp split across TCP reads
 * is still one delivery with its index, and whole responses come off a
 * keep-alive socket's bytes one at a time (content-length and chunked).
 */
import { describe, expect, it } from 'vitest';
import { stampedBody } from '../../bench/peers/load/dialects.ts';
import { DeliveryScanner } from '../../bench/peers/load/deliveries.ts';
import { takeResponse } from '../../bench/peers/load/http-wire.ts';

describe('DeliveryScanner', () => {
  it('finds every stamped body, with its index, however the bytes are cut', () => {
    const stream = Buffer.from([0, 1, 2].map((index) => `data: {"body":"${stampedBody(1000 + index, 100, index)}"}\n\n`).join(''));
    for (let cut = 1; cut < stream.length; cut += 7) {
      const seen: [number, number][] = [];
      const scanner = new DeliveryScanner((index, stamp) => seen.push([index, stamp]));
      for (let at = 0; at < stream.length; at += cut) scanner.feed(stream.subarray(at, at + cut));
      expect(seen, `cut every ${cut} bytes`).toEqual([[0, 1000], [1, 1001], [2, 1002]]);
    }
  });

  it('reads the same body inside SockJS\'s nested JSON', () => {
    const seen: number[] = [];
    const frame = `a${JSON.stringify([JSON.stringify({ op: 'message', body: stampedBody(5, 100, 7) })])}\n`;
    new DeliveryScanner((index) => seen.push(index)).feed(Buffer.from(frame));
    expect(seen).toEqual([7]);
  });
});

describe('takeResponse', () => {
  it('takes a content-length response and leaves the next one', () => {
    const data = Buffer.from('HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 400 Bad Request\r\ncontent-length: 3\r\n\r\nbad');
    const first = takeResponse(data);
    expect(first?.answer.status).toBe(201);
    expect(first?.answer.body.toString()).toBe('ok');
    const second = takeResponse(data.subarray(first!.used));
    expect(second?.answer.status).toBe(400);
    expect(second?.answer.body.toString()).toBe('bad');
    expect(takeResponse(data.subarray(0, data.length - 1).subarray(first!.used))).toBeNull();
  });

  it('decodes a chunked body and waits for its last chunk', () => {
    const data = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    expect(takeResponse(data.subarray(0, data.length - 3))).toBeNull();
    const taken = takeResponse(data);
    expect(taken?.answer.body.toString()).toBe('abcde');
    expect(taken?.used).toBe(data.length);
  });
});
