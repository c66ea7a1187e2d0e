import type { Gap } from '../protocol/index.ts';

/**
 * The body of a poll or long-poll answer, `{"messages":[…],"gaps":[…],"cursor":"…","more":false}`,
 * built from message JSON strings so that a live message's shared encoding is reused.
 */
export function pollResponseJson(messageJsons: string[], gaps: Gap[], cursor: string, more: boolean): string {
  return `{"messages":[${messageJsons.join(',')}],"gaps":${JSON.stringify(gaps)},"cursor":${JSON.stringify(cursor)},"more":${more}}`;
}
