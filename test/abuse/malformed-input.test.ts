import { describe, expect, it } from 'vitest';
import { MALFORMED_EXPECTED, malformedInput } from '../../bench/abuse/attacks/malformed-input.ts';
import { ATTACK_TIMEOUT_MS, expectServerHeld, runAttack } from './harness.ts';

describe('abuse: malformed input (issue 8, finding 9)', () => {
  it('answers each malformed request with a 4xx and its code, and logs no stack', async () => {
    const outcome = await runAttack(malformedInput);
    const { facts } = outcome.report;
    for (const [name, codes] of Object.entries(MALFORMED_EXPECTED)) {
      const [status, code] = String(facts[name]).split(' ');
      expect(Number(status), `${name}: ${String(facts[name])}`).toBeGreaterThanOrEqual(400);
      expect(Number(status), `${name}: ${String(facts[name])}`).toBeLessThan(500);
      expect(codes, `${name}: ${String(facts[name])}`).toContain(code);
    }
    expect(facts.serverErrors).toBe(0);
    expect(facts.stackInLog).toBe(false);
    expect(facts.sessionStillWorks).toBe(true);
    expectServerHeld(outcome, malformedInput);
  }, ATTACK_TIMEOUT_MS);
});
