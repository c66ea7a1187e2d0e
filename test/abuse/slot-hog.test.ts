import { describe, it } from 'vitest';
import { slotHog } from '../../bench/abuse/attacks/slot-hog.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: one session and one address taking every slot (issue 8, finding 6)', () => {
  it('refuses the attacker its excess with too_many_connections; a later attendee and /healthz are never refused', async () => {
    await expectAttackHeld(slotHog);
  }, ATTACK_TIMEOUT_MS);
});
