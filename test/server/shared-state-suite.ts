import { afterEach, describe, expect, it } from 'vitest';
import type { SharedState } from '../../src/shared/types.ts';
import { eventually } from '../wait.ts';

/**
 * The one shared-state conformance suite (as test/bus/adapter-suite.ts is for
 * bus adapters): the in-memory and the Redis implementation run the same cases.
 */
export interface SharedBackend {
  /** A new node's shared state on this backend. */
  newNode(): Promise<SharedState>;
  /** Removes what the backend left behind; called after every node was closed. */
  dispose(): Promise<void>;
}

const LEASE_MS = 150;

/** `shared`: nodes of this backend share their state (an in-memory backend skips the case across nodes: one process shares nothing). */
export function runSharedStateSuite(name: string, shared: boolean, newBackend: () => Promise<SharedBackend>): void {
  describe(`shared state: ${name}`, () => {
    let backend: SharedBackend | undefined;
    const nodes: SharedState[] = [];
    async function node(): Promise<SharedState> {
      backend ??= await newBackend();
      const made = await backend.newNode();
      nodes.push(made);
      return made;
    }
    afterEach(async () => {
      await Promise.all(nodes.splice(0).map((made) => made.close()));
      await backend?.dispose();
      backend = undefined;
    });

    it('grants a free name, again to its holder, never to another while the lease runs', async () => {
      const state = await node();
      expect(await state.claimName('alice', 's1', 60_000)).toEqual({ granted: true, newHolder: true });
      expect(await state.claimName('alice', 's1', 60_000)).toEqual({ granted: true, newHolder: false });
      expect(await state.claimName('alice', 's2', 60_000)).toEqual({ granted: false, newHolder: false, holder: 's1' });
      // The refusal changed nothing: s1 is still the holder and the last one.
      expect(await state.claimName('alice', 's1', 60_000)).toEqual({ granted: true, newHolder: false });
      expect(await state.claimName('bob', 's2', 60_000)).toEqual({ granted: true, newHolder: true });
    });

    it('lets a name go when its lease runs out; a holder that was not the last is a new holder', async () => {
      const state = await node();
      await state.claimName('alice', 's1', LEASE_MS);
      const second = await eventually(() => state.claimName('alice', 's2', LEASE_MS), (claim) => claim.granted, 5_000);
      expect(second.newHolder).toBe(true);
      expect((await state.claimName('alice', 's1', LEASE_MS)).granted).toBe(false);
      // s2 lapses; s1 back with its old token is granted, but the name passed meanwhile: a new holder.
      const back = await eventually(() => state.claimName('alice', 's1', 60_000), (claim) => claim.granted, 5_000);
      expect(back.newHolder).toBe(true);
    });

    it('tells its listeners when a name passes, not when its holder renews it', async () => {
      const state = await node();
      const heard: string[] = [];
      state.onNameClaimed((name, sessionId) => heard.push(`${name}=${sessionId}`));
      await state.claimName('alice', 's1', 60_000);
      await state.claimName('alice', 's1', 60_000);
      await state.claimName('alice', 's2', 60_000);
      await state.claimName('bob', 's3', 60_000);
      await eventually(() => heard.length >= 2, 'two names heard');
      expect(heard).toEqual(['alice=s1', 'bob=s3']);
    });

    it('spends a bucket down to its burst, then refuses with the wait, and refills at its rate', async () => {
      const state = await node();
      const bucket = { key: 'publish-session:s1', ratePerSecond: 10, burst: 3 };
      for (let i = 0; i < 3; i++) expect(await state.take([bucket])).toBeUndefined();
      const refusal = await state.take([bucket]);
      expect(refusal?.index).toBe(0);
      expect(refusal?.waitSeconds).toBeGreaterThan(0);
      expect(refusal?.waitSeconds).toBeLessThanOrEqual(0.1);
      // Another key is another bucket.
      expect(await state.take([{ ...bucket, key: 'publish-session:s2' }])).toBeUndefined();
      await eventually(async () => (await state.take([bucket])) === undefined, 'a token refilled');
    });

    it('checks several buckets together: a refusal by one spends nothing from the others', async () => {
      const state = await node();
      const session = { key: 'publish-session:s1', ratePerSecond: 0.001, burst: 2 };
      const address = { key: 'publish-address:10.0.0.1', ratePerSecond: 0.001, burst: 1 };
      expect(await state.take([session, address])).toBeUndefined();
      expect(await state.take([session, address])).toMatchObject({ index: 1 });
      // The session's second token was not spent by the refused check.
      expect(await state.take([session])).toBeUndefined();
      expect(await state.take([session])).toMatchObject({ index: 0 });
    });

    it.skipIf(!shared)('agrees across nodes: one name, one bucket, the passing heard everywhere', async () => {
      const [a, b] = [await node(), await node()];
      const heardOnB: string[] = [];
      b.onNameClaimed((name, sessionId) => heardOnB.push(`${name}=${sessionId}`));
      expect((await a.claimName('alice', 's1', 60_000)).granted).toBe(true);
      expect((await b.claimName('alice', 's2', 60_000)).granted).toBe(false);
      expect(await b.claimName('alice', 's1', 60_000)).toEqual({ granted: true, newHolder: false });
      await eventually(() => heardOnB.includes('alice=s1'), 'b to hear alice pass to s1');
      const bucket = { key: 'create:10.0.0.2', ratePerSecond: 0.001, burst: 2 };
      const takes = await Promise.all([a.take([bucket]), b.take([bucket]), a.take([bucket]), b.take([bucket])]);
      expect(takes.filter((refusal) => refusal === undefined)).toHaveLength(2);
    });
  });
}
