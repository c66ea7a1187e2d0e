import { describe, expect, it } from 'vitest';
import { LOGIN_CSRF_REFUSALS, loginCsrf } from '../../bench/abuse/attacks/login-csrf.ts';
import { SYMLINK_REFUSAL, resultsSymlink } from '../../bench/abuse/attacks/results-symlink.ts';
import { DRAIN_REFUSAL, shutdownDrain } from '../../bench/abuse/attacks/shutdown-drain.ts';
import { MAX_CURSOR_CHARS, wsCursorLength } from '../../bench/abuse/attacks/ws-cursor-length.ts';
import { ATTACK_TIMEOUT_MS, expectRefusedWith, expectServerHeld, runAttack } from './harness.ts';

describe('abuse: the smaller findings (issue 8, finding 10)', () => {
  it('login CSRF: a cross-site session request is refused and sets no cookie', async () => {
    const outcome = await runAttack(loginCsrf);
    expect(outcome.report.facts.cookiesSet).toBe(0);
    expectRefusedWith(outcome, LOGIN_CSRF_REFUSALS);
    expectServerHeld(outcome, loginCsrf);
  }, ATTACK_TIMEOUT_MS);

  it('results/: a symlink is neither served nor listed; a real file is', async () => {
    const outcome = await runAttack(resultsSymlink);
    const { facts } = outcome.report;
    expect(facts.leaked).toBe(0);
    expect(facts.linksListed).toBe(0);
    expect(facts.realFileStatus).toBe(200);
    expect(facts.realFileListed).toBe(true);
    expectRefusedWith(outcome, [SYMLINK_REFUSAL]);
    expectServerHeld(outcome, resultsSymlink);
  }, ATTACK_TIMEOUT_MS);

  it('shutdown: a connection made while the server drains is answered 503 shutting_down, not refused', async () => {
    const outcome = await runAttack(shutdownDrain);
    expect(outcome.report.facts.firstRefusalStatus).toBe(503);
    expect(outcome.report.facts.firstRefusalCode).toBe(DRAIN_REFUSAL);
  }, ATTACK_TIMEOUT_MS);

  it('ws cursor: 64 long room names make a cursor that fits the limit and resumes', async () => {
    const outcome = await runAttack(wsCursorLength);
    const { facts } = outcome.report;
    expect(facts.cursorChars).toBeGreaterThan(0);
    expect(facts.cursorChars).toBeLessThanOrEqual(MAX_CURSOR_CHARS);
    expect(facts.resumeAnswer).toBe('subscribed');
    expectServerHeld(outcome, wsCursorLength);
  }, ATTACK_TIMEOUT_MS);
});
