import { describe, it } from 'vitest';
import { sseNeverRead } from '../../bench/abuse/attacks/sse-never-read.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: event streams that never read (issue 8, finding 3)', () => {
  it('ends the streams it cannot feed and keeps its memory bounded', async () => {
    await expectAttackHeld(sseNeverRead);
  }, ATTACK_TIMEOUT_MS);
});
