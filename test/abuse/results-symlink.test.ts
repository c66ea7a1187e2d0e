import { describe, it } from 'vitest';
import { resultsSymlink } from '../../bench/abuse/attacks/results-symlink.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: a symlink in results/ (issue 8, finding 10)', () => {
  it('neither serves nor lists a symlink; serves and lists a real file', async () => {
    await expectAttackHeld(resultsSymlink);
  }, ATTACK_TIMEOUT_MS);
});
