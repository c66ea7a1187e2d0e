import type { Gap, Message } from '../protocol/envelope.ts';
import type { BusStats } from '../protocol/stats.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type {
  BusAdapter, CatchUp, LiveListener, LiveMessage, MessageBus, Positions, PublishInput, PublishOutcome,
  StartPoint,
} from './types.ts';

/**
 * The bus the transports talk to: cursors and catch-up on top of an adapter's
 * history, and this process's live subscriptions (topic → listeners), fed by
 * the adapter's stream of stored messages.
 */
export class Bus implements MessageBus {
  private readonly listenersByTopic = new Map<string, Set<LiveListener>>();
  private subscriptionCount = 0;
  private readonly knownUsers = new Set<string>();
  private readonly stopFeed: () => void;

  constructor(private readonly adapter: BusAdapter) {
    this.stopFeed = adapter.onMessage((message) => this.dispatch(message));
  }

  get epoch(): string {
    return this.adapter.epoch;
  }

  publish(input: PublishInput): Promise<PublishOutcome> {
    return this.adapter.publish(input);
  }

  async start(topics: string[], cursor: string | undefined, backlog: number): Promise<StartPoint> {
    const decoded = cursor === undefined || cursor === '' ? undefined : decodeCursor(cursor);
    const sameEpoch = decoded?.epoch === this.epoch;
    const positions: Positions = Object.create(null) as Positions;
    const gaps: Gap[] = [];
    for (const topic of topics) {
      const lastSeq = await this.adapter.lastSeq(topic);
      const claimed = decoded?.positions[topic];
      if (claimed === undefined) {
        positions[topic] = Math.max(0, lastSeq - Math.max(0, backlog));
      } else if (!sameEpoch) {
        // The bus restarted: the client's seqs mean nothing here. Start the
        // topic over; catchUp reports whatever of the new epoch is trimmed.
        positions[topic] = 0;
        gaps.push({ topic, from: 1, to: 0, reason: 'restarted' });
      } else if (claimed > lastSeq) {
        positions[topic] = lastSeq;
        gaps.push({ topic, from: lastSeq + 1, to: claimed, reason: 'unknown' });
      } else {
        positions[topic] = claimed;
      }
    }
    return { positions, gaps };
  }

  async catchUp(positions: Positions, limit: number): Promise<CatchUp> {
    const next: Positions = Object.assign(Object.create(null) as Positions, positions);
    const messages: Message[] = [];
    const gaps: Gap[] = [];
    let more = false;
    for (const topic in next) {
      const room = limit - messages.length;
      const position = next[topic] as number;
      const slice = await this.adapter.read(topic, position, Math.max(room, 0));
      if (slice.firstHeldSeq > position + 1) {
        gaps.push({ topic, from: position + 1, to: slice.firstHeldSeq - 1, reason: 'trimmed' });
        next[topic] = slice.firstHeldSeq - 1;
      }
      for (const message of slice.messages) messages.push(message);
      if (slice.messages.length > 0) next[topic] = slice.messages[slice.messages.length - 1]!.seq;
      if ((next[topic] as number) < slice.lastSeq) more = true;
    }
    return { messages, gaps, positions: next, more };
  }

  encodeCursor(positions: Positions): string {
    return encodeCursor(this.epoch, positions);
  }

  subscribe(topics: string[], listener: LiveListener): () => void {
    for (const topic of topics) {
      let listeners = this.listenersByTopic.get(topic);
      if (!listeners) {
        listeners = new Set();
        this.listenersByTopic.set(topic, listeners);
      }
      if (!listeners.has(listener)) {
        listeners.add(listener);
        this.subscriptionCount += 1;
      }
    }
    return () => {
      for (const topic of topics) {
        const listeners = this.listenersByTopic.get(topic);
        if (listeners?.delete(listener)) this.subscriptionCount -= 1;
        if (listeners?.size === 0) this.listenersByTopic.delete(topic);
      }
    };
  }

  async rememberUser(name: string): Promise<void> {
    this.knownUsers.add(name);
  }

  async knowsUser(name: string): Promise<boolean> {
    return this.knownUsers.has(name);
  }

  stats(): BusStats {
    return { ...this.adapter.stats(), subscriptions: this.subscriptionCount };
  }

  async close(): Promise<void> {
    this.stopFeed();
    this.listenersByTopic.clear();
    this.subscriptionCount = 0;
    await this.adapter.close();
  }

  private dispatch(message: Message): void {
    const listeners = this.listenersByTopic.get(message.topic);
    if (!listeners) return;
    const live = liveMessage(message);
    for (const listener of listeners) listener(live);
  }
}

/** Wraps a message so its JSON is made once, on first use, for every recipient. */
function liveMessage(message: Message): LiveMessage {
  let json: string | undefined;
  return { message, json: () => (json ??= JSON.stringify(message)) };
}
