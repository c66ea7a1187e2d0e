import { describe, expect, it } from 'vitest';
import { sseNeverRead } from '../../bench/abuse/attacks/sse-never-read.ts';
import { ATTACK_TIMEOUT_MS, expectServerHeld, runAttack } from './harness.ts';

describe('abuse: event streams that never read (issue 8, finding 3)', () => {
  it('ends the streams it cannot feed and keeps its memory bounded', async () => {
    const outcome = await runAttack(sseNeverRead);
    const { facts } = outcome.report;
    expect(facts.opened).toBe(facts.streams);
    expect(facts.published).toBe(2000);
    expect(facts.streamsStillHeld, 'the never-read streams were ended').toBe(0);
    expectServerHeld(outcome, sseNeverRead);
  }, ATTACK_TIMEOUT_MS);
});
