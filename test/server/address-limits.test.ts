import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_OPTIONS, resolveServerOptions } from '../../src/config.ts';
import { addressKey } from '../../src/server/rate-limit.ts';
import { requestFrom, sessionFrom } from './from-address.ts';
import { closeAll, startServer } from './helpers.ts';

/** Issue 8, finding 7: fresh sessions do not reset a limit; the limits are per client address too. */

afterEach(closeAll);

const ATTACKER = '127.0.0.2';
const NEIGHBOUR = '127.0.0.3';

describe('per-address limits', () => {
  it('caps the publishes of all sessions of one address together; another address is untouched', async () => {
    const server = await startServer({
      publishRatePerSecond: 1_000,
      publishBurst: 1_000,
      publishBurstPerAddress: 20,
      // Next to no refill while the test runs, however slow the machine.
      publishRatePerSecondPerAddress: 0.01,
    });
    let accepted = 0;
    const refusals: Array<{ code: unknown; retryAfter: unknown }> = [];
    for (let s = 0; s < 5; s++) {
      const { token } = await sessionFrom(ATTACKER, server, `mallory${s}`);
      for (let i = 0; i < 10; i++) {
        const answer = await requestFrom(ATTACKER, server, 'POST', '/api/messages', { authorization: `Bearer ${token}` }, { topic: 'room:lobby', body: `m${i}` });
        if (answer.status === 201) accepted += 1;
        else refusals.push({ code: (answer.json.error as { code?: unknown }).code, retryAfter: answer.headers['retry-after'] });
      }
    }
    expect(accepted).toBe(20);
    expect(refusals).toHaveLength(30);
    expect(refusals[0]).toMatchObject({ code: 'rate_limited' });
    expect(Number(refusals[0]!.retryAfter)).toBeGreaterThan(0);

    const { token } = await sessionFrom(NEIGHBOUR, server, 'alice');
    for (let i = 0; i < 10; i++) {
      const answer = await requestFrom(NEIGHBOUR, server, 'POST', '/api/messages', { authorization: `Bearer ${token}` }, { topic: 'room:lobby', body: `a${i}` });
      expect(answer.status).toBe(201);
    }
  });

  it('caps the sessions one address creates; its own session back costs nothing, and another address is untouched', async () => {
    const server = await startServer({ sessionCreateBurstPerAddress: 5, sessionCreateRatePerSecondPerAddress: 0.01 });
    const statuses: number[] = [];
    let first: string | undefined;
    for (let i = 0; i < 8; i++) {
      const answer = await sessionFrom(ATTACKER, server, `squat${i}`);
      statuses.push(answer.status);
      first ??= answer.token;
      if (answer.status === 429) {
        expect(answer.json).toMatchObject({ error: { code: 'rate_limited' } });
        expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    expect(server.stats().sessions).toBe(5);
    // A reloaded page presents its token: its own session back, not a new one.
    expect((await sessionFrom(ATTACKER, server, 'squat0', { authorization: `Bearer ${first}` })).status).toBe(201);
    expect((await sessionFrom(NEIGHBOUR, server, 'alice')).status).toBe(201);
  });

  it('has documented defaults fit for a class of 30 behind one NAT address, lifted for the bench', () => {
    expect(DEFAULT_SERVER_OPTIONS).toMatchObject({
      sessionCreateRatePerSecondPerAddress: 2,
      sessionCreateBurstPerAddress: 200,
      publishRatePerSecondPerAddress: 100,
      publishBurstPerAddress: 200,
      maxTopics: 10_000,
    });
    expect(() => resolveServerOptions({ publishBurstPerAddress: 0 })).toThrow(/publishBurstPerAddress/);
    expect(() => resolveServerOptions({ maxTopics: 2.5 })).toThrow(/maxTopics/);
  });

  it('keys an address by its socket address: IPv4-mapped as IPv4, IPv6 by its /64', () => {
    expect(addressKey('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('::1')).toBe('::1');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey(undefined)).toBe('unknown');
  });
});
