/**
 * Chat-like message bodies (`--body chat`, the default of `--compression`
 * runs): compression on a time stamp padded with "x" — or on random bytes —
 * measures a ratio no chat ever sees, one way or the other. These bodies are
 * what a chat app's message looks like: a few JSON-ish user fields and a line
 * of text in words of a small built-in vocabulary. Each is drawn from its own
 * seed (the run's seed and the message's name), so a run's bodies are the same
 * run after run, whatever order the publishes go out in.
 *
 * Like the filler body (body.ts), it begins with the due time (`<ns>:`), so
 * the receiver still measures latency from the schedule, and it is exactly
 * `bytes` characters long, all ASCII (so bytes = characters). Its quotes are
 * escaped once more inside the envelope's JSON, as a JSON body's would be.
 */
import { deriveSeed, seededRandom, type Random } from '../../src/net/random.ts';

/** Words of everyday chat: short ones often, as in real text (Zipf-ish by repetition). */
const WORDS = [
  'the', 'the', 'the', 'a', 'a', 'to', 'to', 'I', 'I', 'you', 'you', 'it', 'and', 'and', 'is', 'is', 'in', 'on', 'for',
  'that', 'this', 'we', 'be', 'at', 'with', 'so', 'just', 'can', 'do', 'not', 'ok', 'yes', 'no', 'what', 'when', 'now',
  'later', 'today', 'tomorrow', 'meeting', 'call', 'lunch', 'coffee', 'thanks', 'sure', 'sounds', 'good', 'great',
  'see', 'think', 'know', 'need', 'want', 'will', 'have', 'get', 'send', 'check', 'link', 'doc', 'review', 'deploy',
  'build', 'test', 'bug', 'fix', 'release', 'branch', 'merge', 'server', 'client', 'message', 'room', 'team', 'back',
  'there', 'here', 'about', 'maybe', 'also', 'again', 'still', 'done', 'looks', 'right', 'wrong', 'one', 'two', 'minutes',
  'haha', 'lol', 'cool', 'nice', 'hey', 'hi', 'morning', 'night', 'everyone', 'please', 'sorry', 'wait', 'soon',
];
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar', 'peggy', 'trent', 'victor', 'walter'];
const STATUSES = ['online', 'away', 'busy'];
const LANGUAGES = ['en', 'en', 'en', 'de', 'fr', 'es'];

export const BODY_KINDS = ['filler', 'chat'] as const;
export type BodyKind = (typeof BODY_KINDS)[number];

/** Names the message a body is drawn for: its publisher and its place in the schedule. */
export interface BodyKey {
  seed: number;
  publisher: string;
  k: number;
  j: number;
}

function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)];
}

/** Words, sentence-like (a capital, a full stop now and then), until `length` characters; the last word cut to fit. */
function text(random: Random, length: number): string {
  let out = '';
  let sentenceStart = true;
  while (out.length < length) {
    let word = pick(random, WORDS);
    if (sentenceStart) word = word[0].toUpperCase() + word.slice(1);
    sentenceStart = random() < 0.12;
    out += (out === '' ? '' : ' ') + word + (sentenceStart ? '.' : '');
  }
  return out.slice(0, length);
}

/** The user fields of one message: who sent it, as a chat app's JSON carries it. */
function userFields(random: Random): string {
  const name = pick(random, NAMES);
  const id = 1000 + Math.floor(random() * 9000);
  return `{"user":{"id":"u${id}","name":"${name}","status":"${pick(random, STATUSES)}"},"lang":"${pick(random, LANGUAGES)}","text":"`;
}

/** `<due ns>:{"user":{…},"lang":"…","text":"…"}`, exactly `bytes` long; without the fields when they do not fit with some text. */
export function chatBody(dueNs: bigint, bytes: number, key: BodyKey): string {
  const random = seededRandom(deriveSeed(key.seed, 'body', key.publisher, key.k, key.j));
  const stamp = `${dueNs}:`;
  const open = userFields(random);
  const close = '"}';
  const room = bytes - stamp.length - open.length - close.length;
  // A small body (the default 100 B) keeps its fields only if a dozen characters of text remain.
  if (room >= 12) return stamp + open + text(random, room) + close;
  return stamp.length >= bytes ? stamp : stamp + text(random, bytes - stamp.length);
}

/** A stream of chat bodies for tests and tools: `next(dueNs)` draws the next message's body. */
export function chatBodies({ seed, bytes, publisher = 'p' }: { seed: number; bytes: number; publisher?: string }): { next(dueNs: number | bigint): string } {
  let k = 0;
  return { next: (dueNs) => chatBody(BigInt(dueNs), bytes, { seed, publisher, k: k++, j: 0 }) };
}
