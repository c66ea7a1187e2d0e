import { describe, expect, it } from 'vitest';
import { SLOT_LIMITS, SLOT_REFUSAL, slotHog } from '../../bench/abuse/attacks/slot-hog.ts';
import { ATTACK_TIMEOUT_MS, expectRefusedWith, expectServerHeld, runAttack } from './harness.ts';

describe('abuse: one session and one address taking every slot (issue 8, finding 6)', () => {
  it('refuses the attacker its excess with too_many_connections; the attendee and /healthz are never refused', async () => {
    const outcome = await runAttack(slotHog);
    const { facts } = outcome.report;
    expect(facts.streamsOpened, 'the attacker got less than every held slot').toBeLessThan(SLOT_LIMITS.maxHeldRequests);
    expect(facts.healthzAfterStreams).toBe(200);
    expect(facts.latecomerStreamStatus, 'someone arriving after the attacker still gets a stream').toBe(200);
    expect(facts.healthzAfterHalfSent).toBe(200);
    expect(facts.latecomerPollAfterHalfSent, 'and still gets a poll answered').toBe(200);
    expectRefusedWith(outcome, [SLOT_REFUSAL]);
    expectServerHeld(outcome, slotHog);
  }, ATTACK_TIMEOUT_MS);
});
