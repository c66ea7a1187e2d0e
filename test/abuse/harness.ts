/**
 * What every attack test asserts: the attack's own expectations of a fixed
 * server (`attack.check`, shared with the bench), that the attacker was
 * refused with the documented codes, that the server is up, that the
 * legitimate attendee (another address, chatting throughout) lost nothing,
 * got nothing twice and was never refused, and that the server's peak RSS —
 * read from its own process — stayed within the attack's bound.
 * The attack code itself lives in bench/abuse/ so that the bench's `abuse`
 * scenario runs exactly the same attacks.
 */
import { expect } from 'vitest';
import { runAttack, type AttackOutcome } from '../../bench/abuse/run-attack.ts';
import type { Attack } from '../../bench/abuse/types.ts';

/** Bounded attacks still take seconds on two shared cores. */
export const ATTACK_TIMEOUT_MS = 120_000;

/** Runs `attack` against a fresh server and asserts all of the above; returns the outcome for more. */
export async function expectAttackHeld(attack: Attack): Promise<AttackOutcome> {
  const outcome = await runAttack(attack);
  const seen = JSON.stringify({ facts: outcome.report.facts, refusals: outcome.report.refusals });
  expect(attack.check(outcome.report), seen).toEqual([]);
  if (attack.refusalCodes.length > 0) expectRefusedWith(outcome, attack.refusalCodes);
  expect(attack.checkRefusals?.(outcome.report.refusals) ?? [], seen).toEqual([]);
  if (attack.attendeeTransport !== null) expectServerHeld(outcome, attack);
  return outcome;
}

export function expectServerHeld(outcome: AttackOutcome, attack: Attack): void {
  expect(outcome.serverUp, 'the server still runs and /healthz answers').toBe(true);
  const ledger = outcome.attendee;
  if (ledger) {
    expect(ledger.published, 'the attendee kept chatting').toBeGreaterThan(0);
    expect(ledger.failedPublishes, 'no publish of the attendee failed').toBe(0);
    expect(ledger.refusals, 'the attendee was never refused').toEqual({});
    expect(ledger.lost, 'the attendee lost no message').toBe(0);
    expect(ledger.duplicates, 'the attendee got nothing twice').toBe(0);
    expect(ledger.gaps, 'no seq of the attendee\'s room was skipped').toBe(0);
    expect(ledger.delivered, 'every published message came back once').toBe(ledger.published);
  }
  expect(outcome.rssGrowthBytes, `peak RSS above baseline stays under ${attack.rssBoundBytes / 2 ** 20} MiB`)
    .toBeLessThan(attack.rssBoundBytes);
}

/** Every refusal the attacker got has one of the documented codes (and there was at least one). */
export function expectRefusedWith(outcome: AttackOutcome, codes: string[]): void {
  const seen = Object.keys(outcome.report.refusals);
  expect(seen.length, `the attacker was refused (${JSON.stringify(outcome.report.refusals)})`).toBeGreaterThan(0);
  for (const code of seen) expect(codes, `refusal code ${code}`).toContain(code);
}
