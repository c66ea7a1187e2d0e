import { describe, expect, it } from 'vitest';
import { buildUrl, errorFromResponse, parseRetryAfter } from '../../src/client/http.ts';
import { closeError } from '../../src/client/platform.ts';
import { mergeTopics, resolveClientOptions } from '../../src/client/base.ts';

describe('buildUrl', () => {
  it('joins base, path and the defined query values', () => {
    const url = buildUrl('http://127.0.0.1:9/', '/api/poll', { topics: 'room:a,user:b', cursor: undefined, wait: 0 });
    expect(url.href).toBe('http://127.0.0.1:9/api/poll?topics=room%3Aa%2Cuser%3Ab&wait=0');
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5);
  });
});

describe('errorFromResponse', () => {
  it('keeps the server code, message and Retry-After', async () => {
    const response = new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }), {
      status: 429,
      headers: { 'retry-after': '2' },
    });
    const error = await errorFromResponse(response);
    expect(error.code).toBe('rate_limited');
    expect(error.message).toBe('slow down');
    expect(error.retryAfter).toBe(2);
  });

  it('falls back to a code by status for a body that is not ours', async () => {
    const error = await errorFromResponse(new Response('<html>', { status: 403 }));
    expect(error.code).toBe('forbidden');
  });
});

describe('closeError', () => {
  it('prefers the code named in the reason over the close code', () => {
    expect(closeError(1008, 'forbidden: not your inbox')?.code).toBe('forbidden');
    expect(closeError(1013, 'slow_consumer')?.code).toBe('slow_consumer');
  });

  it('maps a bare close code, and nothing for a close without a fault', () => {
    expect(closeError(1009, '')?.code).toBe('payload_too_large');
    expect(closeError(1001, '')?.code).toBe('shutting_down');
    expect(closeError(1006, '')).toBeUndefined();
    expect(closeError(1000, 'bye')).toBeUndefined();
  });
});

describe('client options', () => {
  it('fills the defaults and trims a trailing slash', () => {
    const options = resolveClientOptions({ baseUrl: 'http://h:1/' });
    expect(options).toMatchObject({ baseUrl: 'http://h:1', pollIntervalMs: 1000, longPollWaitSeconds: 25 });
    expect(options.backoff.maxMs).toBeGreaterThanOrEqual(options.backoff.minMs);
  });

  it('merges topics in order without repeats', () => {
    expect(mergeTopics(['room:a', 'user:b'], ['room:c', 'room:a'])).toEqual(['room:a', 'user:b', 'room:c']);
  });
});
