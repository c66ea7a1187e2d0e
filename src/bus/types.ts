import type { BusStats, Gap, Message } from '../protocol/index.ts';

/** What a publisher hands the bus; `from` is always the server's, from the token. */
export interface PublishInput {
  topic: string;
  from: string;
  body: string;
  /** Idempotency key; the bus makes one when absent. */
  id?: string;
}

export interface PublishOutcome {
  message: Message;
  /** True when `id` had been published to the topic before: nothing was stored. */
  duplicate: boolean;
}

/** A slice of one topic's history after a seq. */
export interface HistorySlice {
  /** Messages with seq > afterSeq, oldest first, at most `limit`. */
  messages: Message[];
  /** The topic's last seq now (0 for a topic that never had a message). */
  lastSeq: number;
  /** Oldest seq still held (lastSeq + 1 when the history is empty). */
  firstHeldSeq: number;
}

/** What an adapter counts; the bus adds its own live subscriptions and hand-outs (BusStats). */
export type AdapterStats = Omit<BusStats, 'subscriptions' | 'fanouts' | 'fanoutMicros'>;

/**
 * Storage and fan-out backend, and everything several nodes sharing it must
 * agree on: seqs, history, the epoch, the names that ever held a session. The
 * in-memory adapter is the embedded default; a networked one (Redis)
 * implements the same methods so that nothing above the bus changes. Every
 * method is asynchronous for that reason. test/bus/adapter-suite.ts is the
 * contract every adapter passes.
 *
 * Lifecycle: `connect()` once before any other call (the in-memory adapter is
 * ready at construction, so its `connect()` does nothing); `close()` once at
 * the end, after which no listener is called and every operation rejects with
 * LabError('unavailable').
 */
export interface BusAdapter {
  /**
   * Identifies this history; readable once `connect()` has resolved. A
   * restarted in-memory bus gets a new one; a networked adapter keeps the one
   * stored with the history, and changes it only when the backend lost its
   * data (so a cursor from before is answered with a `restarted` gap).
   */
  readonly epoch: string;
  /** Reaches the backend and learns (or makes) the epoch; rejects with a clear error when it cannot. */
  connect(): Promise<void>;
  publish(input: PublishInput): Promise<PublishOutcome>;
  read(topic: string, afterSeq: number, limit: number): Promise<HistorySlice>;
  lastSeq(topic: string): Promise<number>;
  /**
   * Optional synchronous forms of `read` and `lastSeq`, for an adapter whose
   * history sits in this process's memory: with both, the bus answers a poll
   * without a promise. A networked adapter leaves them out.
   */
  readSync?(topic: string, afterSeq: number, limit: number): HistorySlice;
  /** `publish` without a promise, for an adapter that stores in memory. */
  publishSync?(input: PublishInput): PublishOutcome;
  lastSeqSync?(topic: string): number;
  /**
   * Optional, for a networked adapter that hears every stored message live: the
   * topic's last seq as far as this node knows without asking its backend, or
   * undefined when it cannot say. The bus reads nothing for a position equal to
   * it (no message, no gap). It may lag the backend by the live copies still in
   * flight, never run ahead of it, and it is undefined whenever the adapter
   * could have missed a message (subscription down, a hole being repaired).
   */
  settledSeq?(topic: string): number | undefined;
  /**
   * Called once per stored message (never for a duplicate), in seq order per
   * topic, for messages stored by any node sharing the backend.
   */
  onMessage(listener: (message: Message) => void): () => void;
  /**
   * Optional, for an adapter whose epoch can change while connected (the
   * backend lost its data, so seqs start again at 1): `listener` hears the new
   * epoch once `epoch` already reads it and before any message of the new epoch
   * stored through this adapter reaches `onMessage`. An adapter whose epoch
   * never changes (the in-memory one) leaves it out.
   */
  onEpoch?(listener: (epoch: string) => void): () => void;
  /**
   * Optional: the bus says when a topic gains its first subscriber on this
   * process (`retain`) and loses its last (`release`), so that an adapter that
   * evicts idle topics never evicts one in use.
   */
  retain?(topic: string): void;
  release?(topic: string): void;
  /**
   * Drops a topic's whole history and keeps its seqs going (the next message
   * continues after the last one). Used when a name passes to a new holder, so
   * that the old holder's inbox does not pass with it; an adapter without it
   * cannot offer that guarantee.
   */
  forget?(topic: string): Promise<void>;
  /** Records a name that held a session, for every node (`unknown_user` is decided from these). */
  rememberUser(name: string): Promise<void>;
  knowsUser(name: string): Promise<boolean>;
  stats(): Promise<AdapterStats>;
  /** Optional synchronous `stats`, for an adapter that counts in this process's memory. */
  statsSync?(): AdapterStats;
  close(): Promise<void>;
}

/** Per-topic position: the last seq delivered. */
export type Positions = Record<string, number>;

/** What a cursor says once decoded. */
export interface DecodedCursor {
  epoch: string;
  positions: Positions;
}

/** A batch read for a receiver: replay from positions, oldest first, across topics. */
export interface CatchUp {
  messages: Message[];
  gaps: Gap[];
  /** Positions after these messages and gaps. */
  positions: Positions;
  /** True when `limit` cut the batch short: ask again at once. */
  more: boolean;
}

/** A message published while subscribed, with its JSON made once for every recipient. */
export interface LiveMessage {
  message: Message;
  /**
   * `JSON.stringify(message)`, computed on first use and shared by every
   * recipient on every transport (STYLE habit 2: encode once, send to many).
   */
  json(): string;
}

export type LiveListener = (live: LiveMessage) => void;

/** Where a receiver starts: positions to read from, and gaps to report first. */
export interface StartPoint {
  positions: Positions;
  gaps: Gap[];
}

/**
 * The bus as the transports see it (src/bus/bus.ts implements it over a BusAdapter).
 * Topic and name validation happens before these calls (src/protocol/names.ts).
 */
export interface MessageBus {
  readonly epoch: string;
  publish(input: PublishInput): Promise<PublishOutcome>;
  /**
   * Turns a client's cursor (or none) into positions for `topics`:
   * - no cursor: each topic's last seq minus `backlog` (≥ 0), i.e. "from now";
   * - a topic the cursor does not name: from now (minus backlog);
   * - a cursor from another epoch: position 0 and a `restarted` gap;
   * - a position past the topic's last seq: the last seq and an `unknown` gap.
   * Throws LabError('bad_request') for a string that is not a cursor of ours.
   * Trimmed history is reported by `catchUp`, not here.
   */
  start(topics: string[], cursor: string | undefined, backlog: number): Promise<StartPoint>;
  /**
   * Reads what `positions` has not seen, oldest first per topic, at most `limit`
   * messages in all; a position older than the history yields a `trimmed` gap
   * and moves past it.
   */
  catchUp(positions: Positions, limit: number): Promise<CatchUp>;
  /**
   * Synchronous `start` and `catchUp`, present only when the adapter can answer
   * from memory (the embedded default); callers fall back to the async pair.
   */
  readonly startSync?: (topics: string[], cursor: string | undefined, backlog: number) => StartPoint;
  readonly catchUpSync?: (positions: Positions, limit: number) => CatchUp;
  /** Synchronous `publish`, present under the same condition (a publish's hot path takes no promise). */
  readonly publishSync?: (input: PublishInput) => PublishOutcome;
  /** An opaque cursor for positions (≤ 4 KiB for 32 topics). */
  encodeCursor(positions: Positions): string;
  /**
   * Live delivery on this process: `listener` gets every message stored on any
   * of `topics` from now on, in seq order per topic. Returns the unsubscribe.
   * Subscribe before catching up and drop seqs ≤ position to miss nothing and
   * deliver nothing twice.
   *
   * `onRestart`, when given, is called when the bus's epoch changes under the
   * subscription (the backend lost its history): every position is void, seqs
   * start again at 1, and the receiver owes its client a `restarted` gap per
   * topic. Over a bus whose epoch never changes it is never kept nor called.
   */
  subscribe(topics: string[], listener: LiveListener, onRestart?: () => void): () => void;
  /**
   * Drops `topic`'s history; its seqs go on, so a cursor from before sees a
   * `trimmed` gap. (A name's inbox when the name passes to a new holder.)
   */
  forget(topic: string): Promise<void>;
  /** Names that ever held a session (for `unknown_user`), agreed by every node through the adapter. */
  rememberUser(name: string): Promise<void>;
  knowsUser(name: string): Promise<boolean>;
  /**
   * The adapter's figures plus this process's subscriptions, without a promise
   * (the synchronous `/api/stats` snapshot and the tests read it): exact over
   * the in-memory adapter; over a networked one, the figures the adapter gave
   * last (each call starts a refresh in the background; `refreshStats` waits).
   */
  stats(): BusStats;
  /** The same figures, asked of the adapter now. */
  refreshStats(): Promise<BusStats>;
  close(): Promise<void>;
}
