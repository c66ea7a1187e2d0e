/**
 * The legitimate attendee: a src/client client that keeps chatting in its own
 * room while an attack runs, from its own loopback address (bound-fetch.ts).
 * It publishes one message, waits until it comes back, publishes the next —
 * and keeps a ledger by count: every seq of its room once, none lost, none
 * twice; every answer the server refused it; the latency of each round trip.
 */
import { createClient, type Client } from '../../src/client/index.ts';
import type { Message, TransportName } from '../../src/protocol/index.ts';
import { boundFetch } from './bound-fetch.ts';

/** The legitimate attendee's source address: not the attacker's 127.0.0.1. */
export const ATTENDEE_ADDRESS = '127.0.0.2';
/** A round trip not back by then is counted lost (the server stalled or dropped it). */
const ROUND_TRIP_LIMIT_MS = 20_000;
/** Pause between two round trips: a person chatting (≤ 10 a second, under the default publish rate), not a load generator. */
const CHAT_INTERVAL_MS = 100;

export interface AttendeeLedger {
  transport: TransportName;
  /** Messages the attendee published and the server accepted. */
  published: number;
  /** Of those, delivered back to the attendee exactly once. */
  delivered: number;
  /** Published but never delivered (within ROUND_TRIP_LIMIT_MS). */
  lost: number;
  /** Deliveries of a seq already delivered. */
  duplicates: number;
  /** Seqs of the room that were skipped (announced as a gap or not). */
  gaps: number;
  /** HTTP answers with a status ≥ 400 the attendee got, by status (a refusal, even one a retry got past). */
  refusals: Record<string, number>;
  /** Publishes that failed for good. */
  failedPublishes: number;
  /** Publish → own delivery, ms, one per delivered message. */
  latenciesMs: number[];
}

export interface Attendee {
  readonly name: string;
  /** Chats until `stop()`; resolves the ledger once the last round trip is settled. */
  stop(): Promise<AttendeeLedger>;
  /** Round trips done so far (the attack may wait for a few before it starts). */
  roundTrips(): number;
}

export async function startAttendee(url: string, transport: TransportName, name: string): Promise<Attendee> {
  const refusals: Record<string, number> = {};
  const fetch = boundFetch(ATTENDEE_ADDRESS);
  const countingFetch: typeof globalThis.fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (response.status >= 400) refusals[response.status] = (refusals[response.status] ?? 0) + 1;
    return response;
  };
  // ws cannot take a local address through src/client: it connects from 127.0.0.1 (its session is made over countingFetch).
  const client: Client = createClient(transport, {
    baseUrl: url,
    name,
    fetch: countingFetch,
    pollIntervalMs: 100,
    longPollWaitSeconds: 10,
    backoff: { minMs: 50, maxMs: 1_000 },
  });
  const room = `room:${name}`;
  const seen = new Map<number, number>();
  const waiting = new Map<string, { sentAt: number; arrived: () => void }>();
  const latenciesMs: number[] = [];
  let gaps = 0;
  client.on('message', (message: Message) => {
    if (message.topic !== room) return;
    seen.set(message.seq, (seen.get(message.seq) ?? 0) + 1);
    const pending = waiting.get(message.id);
    if (pending) {
      latenciesMs.push(performance.now() - pending.sentAt);
      pending.arrived();
    }
  });
  client.on('gap', (gap) => {
    if (gap.topic === room) gaps += gap.to - gap.from + 1;
  });
  await client.connect();
  await client.subscribe([room]);

  let published = 0;
  let failedPublishes = 0;
  let lost = 0;
  let running = true;
  const loop = (async () => {
    for (let n = 1; running; n += 1) {
      const id = `${name}-${n}`;
      const sentAt = performance.now();
      let arrived!: () => void;
      const back = new Promise<boolean>((resolve) => {
        arrived = () => resolve(true);
        setTimeout(() => resolve(false), ROUND_TRIP_LIMIT_MS).unref();
      });
      waiting.set(id, { sentAt, arrived });
      try {
        await client.publish(room, `message ${n} from ${name}`, id);
        published += 1;
        if (!(await back)) lost += 1;
      } catch {
        failedPublishes += 1;
      }
      waiting.delete(id);
      await new Promise((resolve) => setTimeout(resolve, CHAT_INTERVAL_MS));
    }
  })();

  return {
    name,
    roundTrips: () => latenciesMs.length,
    stop: async () => {
      running = false;
      await loop;
      await client.close();
      const duplicates = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
      const seqs = [...seen.keys()].sort((a, b) => a - b);
      const holes = seqs.length === 0 ? 0 : seqs[seqs.length - 1] - seqs[0] + 1 - seqs.length;
      return {
        transport,
        published,
        delivered: seen.size,
        lost,
        duplicates,
        gaps: gaps + holes,
        refusals,
        failedPublishes,
        latenciesMs,
      };
    },
  };
}
