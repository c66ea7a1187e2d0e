import { LabError } from './errors.ts';

/** PROTOCOL.md § Topics: a name is 1–64 characters of A–Z a–z 0–9 _ . - */
export const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_TOPICS_PER_REQUEST = 32;
export const MAX_ID_LENGTH = 64;

export type TopicKind = 'room' | 'user';
export interface ParsedTopic {
  kind: TopicKind;
  name: string;
}

export function isValidName(name: unknown): name is string {
  return typeof name === 'string' && NAME_PATTERN.test(name);
}

export function assertName(name: unknown, what = 'name'): string {
  if (!isValidName(name)) {
    throw new LabError('bad_request', `${what} must be 1-64 characters of A-Z a-z 0-9 _ . -`);
  }
  return name;
}

/** Parses `room:<name>` or `user:<name>`; throws bad_request otherwise. */
export function parseTopic(topic: unknown): ParsedTopic {
  if (typeof topic !== 'string') throw new LabError('bad_request', 'topic must be a string');
  const colon = topic.indexOf(':');
  const kind = topic.slice(0, colon);
  const name = topic.slice(colon + 1);
  if (colon < 0 || (kind !== 'room' && kind !== 'user') || !isValidName(name)) {
    throw new LabError('bad_request', `bad topic "${printable(topic)}": use room:<name> or user:<name>`);
  }
  return { kind, name };
}

/** Validates a list of topics (array or comma-separated string), de-duplicated, at most 32. */
export function parseTopicList(input: unknown): string[] {
  const list = typeof input === 'string' ? input.split(',') : input;
  if (!Array.isArray(list) || list.length === 0) {
    throw new LabError('bad_request', 'topics must name at least one topic');
  }
  if (list.length > MAX_TOPICS_PER_REQUEST) {
    throw new LabError('bad_request', `at most ${MAX_TOPICS_PER_REQUEST} topics per request`);
  }
  const unique = new Set<string>();
  for (const topic of list) {
    parseTopic(topic);
    unique.add(topic as string);
  }
  return [...unique];
}

export function roomTopic(room: string): string {
  return `room:${room}`;
}

export function inboxTopic(user: string): string {
  return `user:${user}`;
}

/** Keeps error messages readable when the input holds control characters. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.slice(0, 80).replace(/[\u0000-\u001f\u007f]/g, '?');
}
