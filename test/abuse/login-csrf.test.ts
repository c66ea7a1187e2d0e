import { describe, it } from 'vitest';
import { loginCsrf } from '../../bench/abuse/attacks/login-csrf.ts';
import { ATTACK_TIMEOUT_MS, expectAttackHeld } from './harness.ts';

describe('abuse: login CSRF (issue 8, finding 10)', () => {
  it('refuses a cross-site session request and sets no cookie', async () => {
    await expectAttackHeld(loginCsrf);
  }, ATTACK_TIMEOUT_MS);
});
