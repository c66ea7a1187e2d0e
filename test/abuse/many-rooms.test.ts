import { describe, expect, it } from 'vitest';
import { TOPIC_CAP_OTHER_REFUSALS, TOPIC_CAP_REFUSAL, manyRooms } from '../../bench/abuse/attacks/many-rooms.ts';
import { ATTACK_TIMEOUT_MS, expectServerHeld, runAttack } from './harness.ts';

describe('abuse: one message to each of 30,000 rooms (issue 8, finding 5)', () => {
  it('does not keep every topic, refuses with its code, and keeps its memory bounded', async () => {
    const outcome = await runAttack(manyRooms);
    const { facts, refusals } = outcome.report;
    expect(facts.answered).toBe(facts.rooms);
    expect(facts.topicsHeld, 'topics were capped or evicted').toBeLessThan(Number(facts.rooms));
    for (const code of Object.keys(refusals)) expect([TOPIC_CAP_REFUSAL, ...TOPIC_CAP_OTHER_REFUSALS]).toContain(code);
    expectServerHeld(outcome, manyRooms);
  }, ATTACK_TIMEOUT_MS);
});
