import type { ServerOptions } from '../config.ts';
import { MAX_CURSOR_LENGTH } from '../bus/cursor.ts';
import { LabError, parseTopic, parseTopicList } from '../protocol/index.ts';

// A cursor is at most 4 KiB (PROTOCOL.md § Cursors), the bus's own limit;
// `maxTopicsPerConnection` is validated so that a cursor over all of a
// connection's topics always fits it (src/config.ts, worstCursorLength).

/** What a receive request asks for, once checked (shared by poll, longpoll, sse and ws). */
export interface ReceiveQuery {
  topics: string[];
  cursor: string | undefined;
  backlog: number;
  limit: number;
  /** Long poll only: how long to hold an empty answer, in ms. */
  waitMs: number;
}

/** Parses `topics`, `cursor`, `backlog`, `limit` and `wait` of a receive URL; 400 bad_request on bad input. */
export function parseReceiveQuery(params: URLSearchParams, options: ServerOptions, reader: string): ReceiveQuery {
  const topics = cachedReadableTopics(params.get('topics') ?? '', reader);
  if (topics.length > options.maxTopicsPerConnection) {
    throw new LabError('bad_request', `a request names at most ${options.maxTopicsPerConnection} topics (maxTopicsPerConnection)`);
  }
  return {
    topics,
    cursor: parseCursor(params.get('cursor') ?? undefined),
    backlog: parseBacklog(params.get('backlog'), options),
    limit: clampedInteger(params.get('limit'), 'limit', options.pollLimitDefault, 1, options.pollLimitMax),
    waitMs: parseWait(params.get('wait'), options),
  };
}

/** A validated topic list per raw `topics` string, with the inbox owners it names. */
interface CheckedTopics {
  topics: string[];
  /** Names of the `user:` topics in the list (each may be read only by that user). */
  inboxes: { name: string; topic: string }[];
}

/** Distinct raw `topics` strings remembered; past it the cache starts over (bounded memory). */
const TOPIC_CACHE_SIZE = 1024;
const checkedTopics = new Map<string, CheckedTopics>();

/**
 * `readableTopics` for a raw query string, remembering the parse: every poll of a
 * client repeats the same string, and parsing it was ~2 % of a poll's CPU.
 * The returned array is shared between requests: callers must not change it.
 */
function cachedReadableTopics(raw: string, reader: string): string[] {
  let checked = checkedTopics.get(raw);
  if (checked === undefined) {
    const topics = parseTopicList(raw);
    const inboxes: CheckedTopics['inboxes'] = [];
    for (const topic of topics) {
      const { kind, name } = parseTopic(topic);
      if (kind === 'user') inboxes.push({ name, topic });
    }
    if (checkedTopics.size >= TOPIC_CACHE_SIZE) checkedTopics.clear();
    checked = { topics, inboxes };
    checkedTopics.set(raw, checked);
  }
  for (const { name, topic } of checked.inboxes) {
    if (name !== reader) throw new LabError('forbidden', `only ${name} may subscribe to ${topic}`);
  }
  return checked.topics;
}

/** Validates topics and refuses another user's inbox (403 forbidden). */
export function readableTopics(input: unknown, reader: string): string[] {
  const topics = parseTopicList(input);
  for (const topic of topics) {
    const { kind, name } = parseTopic(topic);
    if (kind === 'user' && name !== reader) {
      throw new LabError('forbidden', `only ${name} may subscribe to ${topic}`);
    }
  }
  return topics;
}

export function parseCursor(cursor: unknown): string | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return undefined;
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH) {
    throw new LabError('bad_request', `cursor must be a string of at most ${MAX_CURSOR_LENGTH} characters`);
  }
  return cursor;
}

/** `backlog=N`: replay up to N recent messages per topic, at most the history a topic holds. */
export function parseBacklog(value: unknown, options: ServerOptions): number {
  return clampedInteger(value, 'backlog', 0, 0, options.historyPerTopic);
}

function parseWait(value: string | null, options: ServerOptions): number {
  if (value === null || value === '') return options.longPollWaitDefaultSeconds * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new LabError('bad_request', 'wait must be a number of seconds ≥ 0');
  }
  return Math.min(seconds, options.longPollWaitMaxSeconds) * 1000;
}

/** An integer ≥ `min`; values over `max` are lowered to it (PROTOCOL: "at most"). */
function clampedInteger(value: unknown, what: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number < min) {
    throw new LabError('bad_request', `${what} must be an integer ≥ ${min}`);
  }
  return Math.min(number, max);
}

/**
 * Messages per catch-up batch of a stream or socket whose unsent bytes are
 * bounded by `bufferBound`: half the bound's worth of the largest frames, so a
 * batch never trips the bound by itself (the stream waits for its reader between
 * batches), at most `pollLimitMax`.
 */
export function replayBatch(bufferBound: number, options: ServerOptions): number {
  return Math.max(1, Math.min(options.pollLimitMax, Math.floor(bufferBound / 2 / options.maxFrameBytes)));
}
