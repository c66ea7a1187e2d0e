/**
 * The bench's `abuse` scenario: a clean run of the legitimate attendee, then
 * every attack of the suite (each on a fresh server), reported per attack as
 * the attendee's p50/p99 against the clean run and the server's peak RSS.
 * The attacks are the test suite's own (test/abuse/ imports them from here).
 */
import { percentile } from '../aggregate/stats.ts';
import type { BenchResults, RunError } from '../../src/results/schema.ts';
import { ATTACKS } from './attacks/index.ts';
import type { AbuseResult, AttendeeFigures } from '../../src/results/abuse.ts';
import { runAttack, type AttackOutcome } from './run-attack.ts';
import { MIB } from './rss.ts';

export interface AbuseHooks {
  signal: AbortSignal;
  /** An attack begins (for the progress line). */
  onAttack?: (name: string, index: number, total: number) => void;
}

export async function runAbuse(hooks: AbuseHooks): Promise<{ abuse: AbuseResult; incomplete: boolean }> {
  const errors: RunError[] = [];
  const clean = await runAttack(null);
  const cleanFigures = attendeeFigures(clean);
  const result: AbuseResult = {
    clean: { ...(cleanFigures ?? emptyFigures()), peakRssBytes: clean.peakRssBytes, baselineRssBytes: clean.baselineRssBytes },
    attacks: [],
    errors,
  };
  for (const [index, attack] of ATTACKS.entries()) {
    if (hooks.signal.aborted) return { abuse: result, incomplete: true };
    hooks.onAttack?.(attack.name, index, ATTACKS.length);
    try {
      const outcome = await runAttack(attack);
      const attendee = attendeeFigures(outcome);
      const why = [
        ...attack.check(outcome.report),
        ...(attack.checkRefusals?.(outcome.report.refusals) ?? []),
        ...verdict(outcome, attack.refusalCodes, attack.attendeeTransport === null),
      ];
      result.attacks.push({
        attack: attack.name,
        finding: attack.finding,
        tries: attack.tries,
        attendee,
        p50VsClean: ratio(attendee?.p50Ms, cleanFigures?.p50Ms),
        p99VsClean: ratio(attendee?.p99Ms, cleanFigures?.p99Ms),
        baselineRssBytes: outcome.baselineRssBytes,
        peakRssBytes: outcome.peakRssBytes,
        rssGrowthBytes: outcome.rssGrowthBytes,
        rssBoundBytes: attack.rssBoundBytes,
        refusals: outcome.report.refusals,
        expectedRefusals: attack.refusalCodes,
        facts: outcome.report.facts,
        held: why.length === 0,
        why,
      });
    } catch (error) {
      errors.push({ source: `abuse:${attack.name}`, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { abuse: result, incomplete: false };
}

/** The attendee's figures over the round trips made during the attack (all of them for the clean run). */
function attendeeFigures(outcome: AttackOutcome): AttendeeFigures | null {
  const ledger = outcome.attendee;
  if (!ledger) return null;
  const sample = ledger.latenciesMs.slice(outcome.attack === 'clean' ? 0 : outcome.attackStartIndex);
  return {
    transport: ledger.transport,
    roundTrips: sample.length,
    p50Ms: sample.length > 0 ? percentile(sample, 50) : null,
    p99Ms: sample.length > 0 ? percentile(sample, 99) : null,
    maxMs: sample.length > 0 ? Math.max(...sample) : null,
    lost: ledger.lost + ledger.failedPublishes,
    duplicates: ledger.duplicates,
    refused: Object.values(ledger.refusals).reduce((sum, count) => sum + count, 0),
  };
}

/** What did not hold, in words (empty: it held). The per-attack checks live in test/abuse/. */
function verdict(outcome: AttackOutcome, codes: string[], stopsServer: boolean): string[] {
  const why: string[] = [];
  if (!stopsServer && !outcome.serverUp) why.push('the server is down or /healthz does not answer');
  const ledger = outcome.attendee;
  if (ledger) {
    if (ledger.lost + ledger.failedPublishes > 0) why.push(`the attendee lost ${ledger.lost + ledger.failedPublishes} message(s)`);
    if (ledger.duplicates > 0) why.push(`the attendee got ${ledger.duplicates} duplicate(s)`);
    const refused = Object.entries(ledger.refusals).map(([status, count]) => `${count} × ${status}`);
    if (refused.length > 0) why.push(`the attendee was refused (${refused.join(', ')})`);
  }
  if (outcome.rssGrowthBytes >= outcome.rssBoundBytes) {
    why.push(`peak RSS rose ${(outcome.rssGrowthBytes / MIB).toFixed(0)} MiB, over its ${(outcome.rssBoundBytes / MIB).toFixed(0)} MiB bound`);
  }
  const seen = Object.keys(outcome.report.refusals);
  const undocumented = seen.filter((code) => !codes.includes(code));
  if (codes.length > 0 && (seen.length === 0 || undocumented.length > 0)) {
    why.push(`the attacker was not refused with ${codes.join(' / ')} (got ${seen.join(', ') || 'no refusal'})`);
  }
  return why;
}

function ratio(value: number | null | undefined, reference: number | null | undefined): number | null {
  return value === null || value === undefined || !reference ? null : value / reference;
}

function emptyFigures(): AttendeeFigures {
  return { transport: 'sse', roundTrips: 0, p50Ms: null, p99Ms: null, maxMs: null, lost: 0, duplicates: 0, refused: 0 };
}

/** The scenario's one call from bench/run/run-bench.ts: runs the attacks into `results.abuse`. */
export async function runAbusePart(results: BenchResults, signal: AbortSignal): Promise<void> {
  const part = await runAbuse({ signal });
  results.abuse = part.abuse;
  if (part.incomplete) results.incomplete = true;
}
