import type { Gap } from '../protocol/index.ts';

/**
 * The body of a poll or long-poll answer, `{"messages":[…],"gaps":[…],"cursor":"…","more":false}`,
 * built from message JSON strings so that a live message's shared encoding is reused.
 */
export function pollResponseJson(messageJsons: string[], gaps: Gap[], cursor: string, more: boolean): string {
  return `{"messages":[${messageJsons.join(',')}],"gaps":${JSON.stringify(gaps)},"cursor":${JSON.stringify(cursor)},"more":${more}}`;
}

/**
 * Remembers the last answer body, encoded once: when one publish releases
 * thousands of long polls that sat at the same cursor, every one of them answers
 * with the same bytes (the same live message strings, the same next cursor), so
 * the body is built and measured once rather than once per waiter.
 */
export class SharedPollBody {
  #messages: string[] = [];
  #cursor = '';
  #more = false;
  #body: SharedBody | undefined;

  body(messageJsons: string[], gaps: Gap[], cursor: string, more: boolean): SharedBody {
    if (gaps.length === 0 && this.#body !== undefined && more === this.#more && cursor === this.#cursor
      && sameStrings(messageJsons, this.#messages)) {
      return this.#body;
    }
    const json = pollResponseJson(messageJsons, gaps, cursor, more);
    const body = { json, length: Buffer.byteLength(json) };
    if (gaps.length === 0) {
      this.#messages = messageJsons.slice();
      this.#cursor = cursor;
      this.#more = more;
      this.#body = body;
    }
    return body;
  }
}

/** An answer body and its UTF-8 length. */
export interface SharedBody {
  json: string;
  length: number;
}

/** Live messages are one shared string per message, so this is mostly pointer equality. */
function sameStrings(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
