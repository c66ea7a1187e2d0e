/**
 * One attack of the abuse suite, as data: the test in test/abuse/ and the
 * bench's `abuse` scenario run the same `run`. An attack does what one
 * mischievous attendee could do from one address, bounded in count, and
 * reports what it saw by count and state; the expectations (the documented
 * error codes, the memory bound) are named constants in its file.
 */
import type { TransportName } from '../../src/protocol/index.ts';
import type { Target, TargetOptions } from './target.ts';

export interface AttackReport {
  /** Error codes the attacker was answered with, by code (`none` = no error body). */
  refusals: Record<string, number>;
  /** What the attack observed, by name (counts and states the tests assert on). */
  facts: Record<string, number | boolean | string>;
}

export interface Attack {
  /** Short id, e.g. `ws-subscribe-flood` (the bench's row name). */
  name: string;
  /** The finding of issue 8 it keeps closed, e.g. `2`. */
  finding: string;
  /** What the attacker tries, in one line (README's table). */
  tries: string;
  /** The documented error codes the attacker should be refused with (empty: the finding shows as state, not a refusal). */
  refusalCodes: string[];
  /** Server options for the run (limits not under attack lifted, others lowered to be reachable). */
  serverOptions: TargetOptions;
  /** The legitimate attendee's transport during this attack; null when the attack ends the server. */
  attendeeTransport: TransportName | null;
  /** How far above its baseline the server's peak RSS may rise during the attack. */
  rssBoundBytes: number;
  /** Prepares what the server needs before it starts (e.g. a temporary results folder). */
  setup?(): Promise<void>;
  /** Removes what `setup` made. */
  cleanup?(): Promise<void>;
  run(target: Target): Promise<AttackReport>;
  /**
   * The attack's own expectations of a fixed server, on its report: one
   * sentence per one that does not hold (empty: it held). The refusal codes,
   * the attendee and the memory bound are checked for every attack besides.
   */
  check(report: AttackReport): string[];
  /** For an attack with no required refusal (refusalCodes empty): what is wrong with the refusals it did get. */
  checkRefusals?(refusals: Record<string, number>): string[];
}
