import { describe, expect, it } from 'vitest';
import { SUBSCRIBE_CAP_REFUSAL, wsSubscribeFlood } from '../../bench/abuse/attacks/ws-subscribe-flood.ts';
import { ATTACK_TIMEOUT_MS, expectRefusedWith, expectServerHeld, runAttack } from './harness.ts';

describe('abuse: a subscribe flood on one WebSocket (issue 8, finding 2)', () => {
  it('refuses topics over the cap with an error frame while healthz and the attendee carry on', async () => {
    const outcome = await runAttack(wsSubscribeFlood);
    expectServerHeld(outcome, wsSubscribeFlood);
    const { facts } = outcome.report;
    expect(facts.healthzAfter).toBe(200);
    // Every frame was answered (none lost in a stall), and the cap held.
    expect(facts.answered).toBe(facts.frames);
    expect(facts.topicsAccepted).toBeLessThan(Number(facts.topicsAsked));
    expectRefusedWith(outcome, [SUBSCRIBE_CAP_REFUSAL]);
  }, ATTACK_TIMEOUT_MS);
});
