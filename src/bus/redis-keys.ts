/**
 * Where the Redis bus keeps things: every key and channel under one prefix
 * (so several labs or tests share one Redis), and one topic's keys in one
 * Cluster hash slot through the `{topic}` tag (topic names hold no braces).
 */
export class RedisKeys {
  /** The PSUBSCRIBE pattern every topic's live channel matches, and nothing outside the prefix. */
  readonly livePattern: string;

  constructor(readonly prefix: string) {
    this.livePattern = globEscape(prefix) + '{*}:live';
  }

  /** A global key: `epoch`, `stats`, `users`. */
  key(name: string): string {
    return this.prefix + name;
  }

  /** One topic's keys: its seq counter, its stream, its idempotency ids and its live channel. */
  topic(topic: string): { seq: string; log: string; ids: string; live: string } {
    const base = `${this.prefix}{${topic}}:`;
    return { seq: base + 'seq', log: base + 'log', ids: base + 'ids', live: base + 'live' };
  }
}

/** Escapes Redis glob characters, so that a prefix matches only itself in PSUBSCRIBE. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
