/**
 * Chat-like bodies (bench/sim/chat-body.ts, `--body chat`): exact length, the
 * due time first, the same bodies from the same seed, text that compresses as
 * text does (not as filler), and the flag that picks them.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../bench/cli/args.ts';
import { dueTimeOf, messageBody, stampedBody } from '../../bench/sim/body.ts';
import { chatBody } from '../../bench/sim/chat-body.ts';

const DUE = 123_456_789_012_345n;
const key = { seed: 1, publisher: 'chat.poll.c3', k: 7, j: 0 };

describe('chat-like bodies', () => {
  it('are exactly the asked length, ASCII, and begin with the due time', () => {
    for (const bytes of [1, 10, 30, 64, 100, 512, 2000, 20_000]) {
      const body = chatBody(DUE, bytes, key);
      expect(body.length, `${bytes}`).toBe(Math.max(bytes, `${DUE}:`.length));
      expect(Buffer.byteLength(body), `${bytes}`).toBe(body.length);
      expect(dueTimeOf(body)).toBe(DUE);
    }
  });

  it('carry JSON-ish user fields and words when there is room, words alone when not', () => {
    const body = chatBody(DUE, 300, key);
    const json = body.slice(`${DUE}:`.length);
    const parsed = JSON.parse(json) as { user: { id: string; name: string; status: string }; lang: string; text: string };
    expect(parsed.user.id).toMatch(/^u\d{4}$/);
    expect(['online', 'away', 'busy']).toContain(parsed.user.status);
    expect(parsed.text.split(' ').length).toBeGreaterThan(20);
    const small = chatBody(DUE, 40, key);
    expect(small).not.toContain('{');
    expect(small.slice(`${DUE}:`.length)).toMatch(/^[A-Za-z .]+$/);
  });

  it('are the same for the same seed and message, and differ from message to message and seed to seed', () => {
    expect(chatBody(DUE, 500, key)).toBe(chatBody(DUE, 500, { ...key }));
    expect(chatBody(DUE, 500, { ...key, k: 8 })).not.toBe(chatBody(DUE, 500, key));
    expect(chatBody(DUE, 500, { ...key, publisher: 'chat.poll.c4' })).not.toBe(chatBody(DUE, 500, key));
    expect(chatBody(DUE, 500, { ...key, seed: 2 })).not.toBe(chatBody(DUE, 500, key));
  });

  it('compress as text does: far less than filler, far more than random bytes', () => {
    const ratio = (text: string): number => gzipSync(text).length / text.length;
    const chat = Array.from({ length: 20 }, (_, k) => chatBody(DUE, 2000, { ...key, k })).join('\n');
    const filler = Array.from({ length: 20 }, () => stampedBody(DUE, 2000)).join('\n');
    // English-like text from a ~120-word vocabulary gzips to roughly a third; "x" padding to almost nothing.
    expect(ratio(chat)).toBeGreaterThan(0.2);
    expect(ratio(chat)).toBeLessThan(0.5);
    expect(ratio(filler)).toBeLessThan(0.02);
  });

  it('messageBody picks the kind; filler stays the default body', () => {
    expect(messageBody('filler', DUE, 100, key)).toBe(stampedBody(DUE, 100));
    expect(messageBody('chat', DUE, 100, key)).toBe(chatBody(DUE, 100, key));
  });
});

describe('bench --body', () => {
  it('is filler by default, chat with --compression, and what --body says when given', () => {
    expect(parseCli([]).flags.body).toBeUndefined();
    expect(parseCli(['--compression', 'on']).flags.body).toBe('chat');
    expect(parseCli(['--compression', 'on', '--body', 'filler']).flags.body).toBe('filler');
    expect(parseCli(['--body', 'chat']).flags.body).toBe('chat');
    expect(() => parseCli(['--body', 'lorem'])).toThrow(UsageError);
    expect(() => parseCli(['--body', 'lorem'])).toThrow(/--body takes filler or chat/);
  });
});
