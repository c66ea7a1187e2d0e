import { describe, it } from 'vitest';
import { labAuthority } from '../../bench/abuse/attacks/lab-authority.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: the lab knobs without authority (issue 8, finding 1)', () => {
  it('answers every knob turned by a stranger with forbidden and leaks no token from the wire inspector', async () => {
    await expectAttackHeld(labAuthority);
  }, ATTACK_TIMEOUT_MS);
});
