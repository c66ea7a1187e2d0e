import { describe, it } from 'vitest';
import { pollUnread } from '../../bench/abuse/attacks/poll-unread.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: huge poll answers never read (issue 8, finding 4)', () => {
  it('bounds one answer\'s bytes, says more: true, and holds little for readers that never come', async () => {
    await expectAttackHeld(pollUnread);
  }, ATTACK_TIMEOUT_MS);
});
