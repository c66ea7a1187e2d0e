/**
 * The `abuse` scenario's section of the results file (`BenchResults.abuse`):
 * per attack, what the legitimate attendee saw against a clean run, the
 * server's peak memory, and whether the server held. Types only, so that the
 * browser may import them through schema.ts.
 */
import type { RunError } from './run-error.ts';

/** The legitimate attendee's figures during one run. */
export interface AttendeeFigures {
  transport: string;
  roundTrips: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  lost: number;
  duplicates: number;
  /** HTTP answers ≥ 400 the attendee got (each a refusal, even where a retry got past it). */
  refused: number;
}

export interface AbuseRow {
  attack: string;
  finding: string;
  tries: string;
  /** Null for an attack that stops the server (shutdown-drain). */
  attendee: AttendeeFigures | null;
  /** The attendee's p50 and p99 divided by the clean run's. */
  p50VsClean: number | null;
  p99VsClean: number | null;
  baselineRssBytes: number;
  peakRssBytes: number;
  rssGrowthBytes: number;
  rssBoundBytes: number;
  /** Error codes the attacker got, by count. */
  refusals: Record<string, number>;
  /** The documented codes it should get. */
  expectedRefusals: string[];
  facts: Record<string, number | boolean | string>;
  /**
   * Whether the server held, as the test suite judges it in part: up after the
   * attack, the attendee lost nothing and was never refused, RSS under the bound,
   * and every refusal of the attacker one of the documented codes. Each
   * attack's own checks are in test/abuse/.
   */
  held: boolean;
  /** What did not hold, in words. */
  why: string[];
}

export interface AbuseResult {
  /** The same attendee with no attack: the reference for the ratios. */
  clean: AttendeeFigures & { peakRssBytes: number; baselineRssBytes: number };
  attacks: AbuseRow[];
  errors: RunError[];
}
