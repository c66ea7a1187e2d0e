import { describe, expect, it } from 'vitest';
import { resolveServerOptions } from '../../src/config.ts';
import { ERRORS, LabError, assertName, parseTopic, parseTopicList } from '../../src/protocol/index.ts';

describe('names and topics', () => {
  it('accepts the names PROTOCOL.md allows', () => {
    for (const name of ['a', 'alice', 'A_b.c-9', 'x'.repeat(64)]) expect(assertName(name)).toBe(name);
  });

  it('rejects empty, too long, control characters and other characters with bad_request', () => {
    for (const name of ['', 'x'.repeat(65), 'bob\u0000', 'bo b', 'é', 'a/b', 42, null]) {
      expect(() => assertName(name)).toThrow(expect.objectContaining({ code: 'bad_request' }));
    }
  });

  it('parses room and user topics and rejects anything else', () => {
    expect(parseTopic('room:lobby')).toEqual({ kind: 'room', name: 'lobby' });
    expect(parseTopic('user:alice')).toEqual({ kind: 'user', name: 'alice' });
    for (const topic of ['lobby', 'chan:x', 'room:', 'room:a:b', 'room:\n', `room:${'x'.repeat(65)}`]) {
      expect(() => parseTopic(topic)).toThrow(LabError);
    }
  });

  it('reads a comma-separated list, removes repeats and caps it at 32', () => {
    expect(parseTopicList('room:a,room:b,room:a')).toEqual(['room:a', 'room:b']);
    expect(() => parseTopicList('')).toThrow(LabError);
    const many = Array.from({ length: 33 }, (_, i) => `room:r${i}`);
    expect(() => parseTopicList(many)).toThrow(/at most 32/);
  });

  it('maps every error code to an HTTP status', () => {
    expect(new LabError('rate_limited', 'slow down', 2).status).toBe(429);
    expect(ERRORS.payload_too_large.wsClose).toBe(1009);
  });
});

describe('server options', () => {
  it('fails at start naming the bad option', () => {
    expect(() => resolveServerOptions({ maxBodyBytes: -1 })).toThrow(/maxBodyBytes/);
    expect(() => resolveServerOptions({ port: 70000 })).toThrow(/port/);
    expect(resolveServerOptions({ port: 0 }).historyPerTopic).toBe(1000);
  });
});
