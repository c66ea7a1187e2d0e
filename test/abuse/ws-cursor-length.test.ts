import { describe, it } from 'vitest';
import { wsCursorLength } from '../../bench/abuse/attacks/ws-cursor-length.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: a WebSocket cursor over 64 long room names (issue 8, finding 10)', () => {
  it('makes a cursor within the 4 KiB limit that resumes', async () => {
    await expectAttackHeld(wsCursorLength);
  }, ATTACK_TIMEOUT_MS);
});
