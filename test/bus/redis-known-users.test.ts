import { afterAll, describe, expect, it } from 'vitest';
import { RedisTestSpace } from './redis-test-env.ts';

/** knowsUser asks Redis once per name (known-users.ts), and only as long as the history's epoch lasts. */
describe('redis adapter: the names a node knows exist', () => {
  const space = new RedisTestSpace();

  afterAll(() => space.close());

  it('answers a name Redis confirmed without asking again, never keeps an unknown one, and forgets all with the epoch', async () => {
    const a = space.adapter();
    const b = space.adapter();
    await Promise.all([a.connect(), b.connect()]);
    try {
      expect(await a.knowsUser('bob')).toBe(false);
      // Bob's first session is on node b: node a did not keep its "no".
      await b.rememberUser('bob');
      expect(await a.knowsUser('bob')).toBe(true);

      // Kept: with the set gone behind its back (and the epoch with it, unnoticed yet), node a still says yes…
      await space.deleteKeys();
      expect(await a.knowsUser('bob')).toBe(true);
      // …until it learns the new epoch (its next read here): then it asks again, and Redis knows nobody.
      await a.read('room:t', 0, 0);
      expect(await a.knowsUser('bob')).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
