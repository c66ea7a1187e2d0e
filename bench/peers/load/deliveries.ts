/**
 * Finds deliveries in whatever bytes a peer sends: every delivered body starts
 * with `@@t=<µs>@n=<index>@` (dialects.ts `stampedBody`), which reads the same
 * in the lab's JSON, an SSE event, engine.io packets, Bayeux arrays and
 * SockJS's nested JSON. So one scanner serves every HTTP dialect, and a
 * marker split across two TCP reads is carried over to the next one.
 */
import { STAMP, parseDigits } from './dialects.ts';

const STAMP_BYTES = Buffer.from(STAMP);
const AT = 0x40;
const INDEX_HEAD = Buffer.from('@n=');

/** The stamp and index of the marker at `at`; `end` past it; null when the buffer ends first. */
export function parseMarker(data: Buffer, at: number): { stamp: number; index: number; end: number } | null {
  const stampFrom = at + STAMP_BYTES.length;
  const stamp = parseDigits(data, stampFrom);
  let i = stampFrom;
  while (i < data.length && data[i] !== AT) i += 1;
  if (i + INDEX_HEAD.length > data.length) return null;
  if (data.compare(INDEX_HEAD, 0, INDEX_HEAD.length, i, i + INDEX_HEAD.length) !== 0) return { stamp, index: -1, end: i };
  const indexFrom = i + INDEX_HEAD.length;
  let j = indexFrom;
  while (j < data.length && data[j] !== AT) j += 1;
  if (j >= data.length) return null;
  return { stamp, index: parseDigits(data, indexFrom), end: j + 1 };
}

export class DeliveryScanner {
  private carry: Buffer | null = null;

  constructor(private readonly onDelivery: (index: number, stamp: number) => void) {}

  feed(chunk: Buffer): void {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    let from = 0;
    for (;;) {
      const at = data.indexOf(STAMP_BYTES, from);
      if (at === -1) break;
      const marker = parseMarker(data, at);
      if (!marker) {
        this.carry = Buffer.from(data.subarray(at));
        return;
      }
      this.onDelivery(marker.index, marker.stamp);
      from = marker.end;
    }
    // The tail may hold the first bytes of a marker that the next read completes.
    const keep = Math.min(STAMP_BYTES.length - 1, data.length - from);
    if (keep > 0) this.carry = Buffer.from(data.subarray(data.length - keep));
  }

  reset(): void {
    this.carry = null;
  }
}
