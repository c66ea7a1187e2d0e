import { describe, it } from 'vitest';
import { rateLimitReset } from '../../bench/abuse/attacks/rate-limit-reset.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: limits that reset for free (issue 8, finding 7)', () => {
  it('limits publishing and session creation per address, not only per session', async () => {
    await expectAttackHeld(rateLimitReset);
  }, ATTACK_TIMEOUT_MS);
});
