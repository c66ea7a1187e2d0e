/**
 * The least a reference server needs to speak the lab's shapes: per-topic
 * seqs, a bounded history, and a cursor (base64url JSON of topic → last seq).
 * Deliberately bare — it is the yardstick our bus is measured against.
 */
import type { Message } from '../../../src/protocol/index.ts';

const HISTORY_PER_TOPIC = 1000;

interface TopicState {
  seq: number;
  history: Message[];
}

export type CursorPositions = Record<string, number>;

export class MiniBus {
  private readonly topics = new Map<string, TopicState>();
  private madeIds = 0;

  publish(topic: string, body: string, from: string, id?: string): Message {
    let state = this.topics.get(topic);
    if (!state) {
      state = { seq: 0, history: [] };
      this.topics.set(topic, state);
    }
    state.seq += 1;
    const message: Message = { topic, seq: state.seq, id: id ?? `m${(this.madeIds += 1)}`, from, body, ts: Date.now() };
    state.history.push(message);
    // Trim in batches so that a full history does not shift on every publish.
    if (state.history.length > HISTORY_PER_TOPIC * 2) state.history = state.history.slice(-HISTORY_PER_TOPIC);
    return message;
  }

  lastSeq(topic: string): number {
    return this.topics.get(topic)?.seq ?? 0;
  }

  /** Messages of `topic` after `seq`, at most `limit`. */
  after(topic: string, seq: number, limit: number): Message[] {
    const state = this.topics.get(topic);
    if (!state || state.seq <= seq) return [];
    const history = state.history;
    const firstHeld = history.length > 0 ? history[0].seq : state.seq + 1;
    const start = Math.max(0, seq + 1 - firstHeld);
    return history.slice(start, start + limit);
  }
}

export function encodeCursor(positions: CursorPositions): string {
  return Buffer.from(JSON.stringify(positions)).toString('base64url');
}

/** Positions of a cursor, or null when it is not one of ours. */
export function decodeCursor(cursor: string): CursorPositions | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const positions: CursorPositions = {};
    for (const [topic, seq] of Object.entries(value)) {
      if (typeof seq !== 'number') return null;
      positions[topic] = seq;
    }
    return positions;
  } catch {
    return null;
  }
}
