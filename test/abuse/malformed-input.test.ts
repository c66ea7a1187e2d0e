import { describe, it } from 'vitest';
import { malformedInput } from '../../bench/abuse/attacks/malformed-input.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: malformed input (issue 8, finding 9)', () => {
  it('answers each malformed request with a 4xx and its code, and logs no stack', async () => {
    await expectAttackHeld(malformedInput);
  }, ATTACK_TIMEOUT_MS);
});
