import type { MessageBus, Positions } from '../bus/types.ts';
import type { Message } from '../protocol/index.ts';
import { FrameCache } from './frame-cache.ts';

/**
 * `message` frames: the envelope without its braces, then the cursor after it.
 * Cursors are plain ASCII that needs no JSON escaping (src/bus/cursor.ts).
 * One cache for every WebSocket recipient, in a room (ws-rooms.ts) or not (ws-peer.ts).
 */
const messageFrames = new FrameCache((json, cursor) => `{"op":"message",${json.slice(1, -1)},"cursor":"${cursor}"}`);

/**
 * The frame of `message` for a recipient that follows `message.topic` alone,
 * at `positions` (its one topic, now at `message.seq`): that cursor is the
 * same for every such recipient, so once one of them had it built, the rest
 * reuse the bytes without making the cursor string again.
 */
export function soleTopicFrame(bus: MessageBus, message: Message, envelopeJson: string, positions: Positions): Buffer {
  const epoch = bus.epoch;
  const shared = messageFrames.soleFrameOf(message, epoch);
  if (shared !== undefined) return shared;
  const cursor = bus.encodeCursor(positions);
  const frame = messageFrames.frameOf(message, envelopeJson, cursor);
  messageFrames.markSole(message, epoch, cursor);
  return frame;
}

/** The frame of `message` followed by `cursor` (shared with every recipient whose cursor is the same). */
export function messageFrame(message: Message, envelopeJson: string, cursor: string): Buffer {
  return messageFrames.frameOf(message, envelopeJson, cursor);
}
