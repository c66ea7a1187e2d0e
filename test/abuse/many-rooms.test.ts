import { describe, it } from 'vitest';
import { manyRooms } from '../../bench/abuse/attacks/many-rooms.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: one message to each of 30,000 rooms (issue 8, finding 5)', () => {
  it('does not keep every topic, refuses with its code, and keeps its memory bounded', async () => {
    await expectAttackHeld(manyRooms);
  }, ATTACK_TIMEOUT_MS);
});
