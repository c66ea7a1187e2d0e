import { describe, it } from 'vitest';
import { inboxInheritance } from '../../bench/abuse/attacks/inbox-inheritance.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: a name\'s new holder and the old holder\'s inbox (issue 8, finding 8)', () => {
  it('gives the new holder of a lapsed name none of the direct messages sent to the old one', async () => {
    await expectAttackHeld(inboxInheritance);
  }, ATTACK_TIMEOUT_MS);
});
