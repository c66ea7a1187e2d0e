import { describe, it } from 'vitest';
import { shutdownDrain } from '../../bench/abuse/attacks/shutdown-drain.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: connecting while the server drains (issue 8, finding 10)', () => {
  it('answers a connection made after SIGTERM with 503 shutting_down, not a refused connection', async () => {
    await expectAttackHeld(shutdownDrain);
  }, ATTACK_TIMEOUT_MS);
});
