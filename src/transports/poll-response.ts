import type { Positions } from '../bus/types.ts';
import type { Gap, Message } from '../protocol/index.ts';
import { envelopeBytes, envelopeJson } from './envelope-json.ts';
import { prepareJson, type PreparedJson } from './http-io.ts';

/**
 * The body of a poll or long-poll answer, `{"messages":[…],"gaps":[…],"cursor":"…","more":false}`,
 * built from message JSON strings so that a message's shared encoding is reused.
 */
export function pollResponseJson(messageJsons: string[], gaps: Gap[], cursor: string, more: boolean): string {
  return `{"messages":[${messageJsons.join(',')}],"gaps":${JSON.stringify(gaps)},"cursor":${JSON.stringify(cursor)},"more":${more}}`;
}

/**
 * Remembers the last answer body, encoded once: when one publish releases
 * thousands of long polls that sat at the same cursor, every one of them answers
 * with the same bytes (the same live message strings, the same next cursor), so
 * the body and its head's fields are built and measured once rather than once per waiter.
 */
export class SharedPollBody {
  #messages: string[] = [];
  #cursor = '';
  #more = false;
  #body: PreparedJson | undefined;

  body(messageJsons: string[], gaps: Gap[], cursor: string, more: boolean): PreparedJson {
    if (gaps.length === 0 && this.#body !== undefined && more === this.#more && cursor === this.#cursor
      && sameStrings(messageJsons, this.#messages)) {
      return this.#body;
    }
    const body = prepareJson(pollResponseJson(messageJsons, gaps, cursor, more));
    if (gaps.length === 0) {
      this.#messages = messageJsons.slice();
      this.#cursor = cursor;
      this.#more = more;
      this.#body = body;
    }
    return body;
  }
}

/** Live messages are one shared string per message, so this is mostly pointer equality. */
function sameStrings(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The messages of a catch-up that fit one answer, and where the answer's cursor points. */
export interface FittedMessages {
  jsons: string[];
  /** UTF-8 bytes of `jsons` (without separators). */
  bytes: number;
  /** Positions after the last message kept (the batch's own when all were kept). */
  positions: Positions;
  /** True when messages were left out for the next answer. */
  cut: boolean;
}

/**
 * Keeps the messages of a catch-up while their bytes stay within `maxBytes`
 * (the first is always kept, so an answer always moves on) — issue 8 #4: a
 * ~100 B request must not build a 20 MB answer. The positions of a topic whose
 * messages were left out point just before the first one left out (a topic's
 * history has no holes after its oldest held seq), so the next answer starts there.
 */
export function fitMessages(messages: readonly Message[], positions: Positions, maxBytes: number): FittedMessages {
  const jsons: string[] = [];
  let bytes = 0;
  let index = 0;
  for (; index < messages.length; index++) {
    // Made and measured once per message, however many pollers catch it up.
    const json = envelopeJson(messages[index]);
    const length = envelopeBytes(messages[index]);
    if (jsons.length > 0 && bytes + length > maxBytes) break;
    jsons.push(json);
    bytes += length;
  }
  if (index === messages.length) return { jsons, bytes, positions, cut: false };
  const fitted: Positions = { ...positions };
  const moved = new Set<string>();
  for (let i = index; i < messages.length; i++) {
    const { topic, seq } = messages[i];
    if (moved.has(topic)) continue;
    moved.add(topic);
    fitted[topic] = seq - 1;
  }
  return { jsons, bytes, positions: fitted, cut: true };
}
