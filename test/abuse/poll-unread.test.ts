import { describe, expect, it } from 'vitest';
import { POLL_ANSWER_MAX_BYTES, pollUnread } from '../../bench/abuse/attacks/poll-unread.ts';
import { ATTACK_TIMEOUT_MS, expectServerHeld, runAttack } from './harness.ts';

describe('abuse: huge poll answers never read (issue 8, finding 4)', () => {
  it('bounds one answer\'s bytes, says more: true, and holds little for readers that never come', async () => {
    const outcome = await runAttack(pollUnread);
    const { facts } = outcome.report;
    expect(facts.filled).toBe(1000);
    expect(facts.answerStatus).toBe(200);
    expect(facts.answerBytes).toBeLessThanOrEqual(POLL_ANSWER_MAX_BYTES);
    expect(facts.answerMessages).toBeGreaterThan(0);
    expect(facts.more).toBe(true);
    expectServerHeld(outcome, pollUnread);
  }, ATTACK_TIMEOUT_MS);
});
