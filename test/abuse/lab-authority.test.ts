import { describe, expect, it } from 'vitest';
import { KNOB_REFUSAL, labAuthority } from '../../bench/abuse/attacks/lab-authority.ts';
import { ATTACK_TIMEOUT_MS, expectRefusedWith, expectServerHeld, runAttack } from './harness.ts';

describe('abuse: the lab knobs without authority (issue 8, finding 1)', () => {
  it('answers every knob turned by a stranger with forbidden and leaks no token from the wire inspector', async () => {
    const outcome = await runAttack(labAuthority);
    expectServerHeld(outcome, labAuthority);
    expectRefusedWith(outcome, [KNOB_REFUSAL]);
    expect(outcome.report.facts.knobsTurned).toBe(0);
    expect(outcome.report.facts.delayAfterMs).toBe(0);
    expect(outcome.report.facts.backgroundAfter).toBe(0);
    // The knobs stay readable to everyone.
    expect(outcome.report.facts.panesListed).toBe(true);
    expect(outcome.report.facts.wireLeaksToken).toBe(false);
  }, ATTACK_TIMEOUT_MS);
});
