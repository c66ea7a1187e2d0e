import { describe, expect, it } from 'vitest';
import { inboxInheritance } from '../../bench/abuse/attacks/inbox-inheritance.ts';
import { ATTACK_TIMEOUT_MS, expectServerHeld, runAttack } from './harness.ts';

describe('abuse: a name\'s new holder and the old holder\'s inbox (issue 8, finding 8)', () => {
  it('gives the new holder of a lapsed name none of the direct messages sent to the old one', async () => {
    const outcome = await runAttack(inboxInheritance);
    const { facts } = outcome.report;
    expect(facts.dmStatus).toBe(201);
    // The name itself may pass on (that is what a lapse means); the inbox history may not.
    expect(facts.claimStatus).toBe(201);
    expect(facts.readStatus).toBe(200);
    expect(facts.inheritedMessages).toBe(0);
    expectServerHeld(outcome, inboxInheritance);
  }, ATTACK_TIMEOUT_MS);
});
