import { describe, expect, it } from 'vitest';
import { PER_ADDRESS_PUBLISH_MAX, RESET_REFUSAL, rateLimitReset } from '../../bench/abuse/attacks/rate-limit-reset.ts';
import { ATTACK_TIMEOUT_MS, expectRefusedWith, expectServerHeld, runAttack } from './harness.ts';

describe('abuse: limits that reset for free (issue 8, finding 7)', () => {
  it('limits publishing and session creation per address, not only per session', async () => {
    const outcome = await runAttack(rateLimitReset);
    const { facts } = outcome.report;
    expect(facts.published).toBeLessThanOrEqual(PER_ADDRESS_PUBLISH_MAX);
    expect(facts.namesGranted).toBeLessThan(Number(facts.namesTried));
    expectRefusedWith(outcome, [RESET_REFUSAL]);
    expectServerHeld(outcome, rateLimitReset);
  }, ATTACK_TIMEOUT_MS);
});
