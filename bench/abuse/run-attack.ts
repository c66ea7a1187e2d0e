/**
 * One attack, start to end: a fresh server, the legitimate attendee chatting
 * before, during and after, the attack, then the server's memory and state.
 * The tests assert on the outcome; the bench reports it.
 */
import { startAttendee, type AttendeeLedger } from './attendee.ts';
import { startTarget, type TargetOptions } from './target.ts';
import type { Attack, AttackReport } from './types.ts';
import { healthz } from './wire.ts';

/** Round trips the attendee completes before the attack starts (it is really chatting). */
const WARM_ROUND_TRIPS = 3;

export interface AttackOutcome {
  attack: string;
  report: AttackReport;
  /** The legitimate attendee's ledger; null for an attack that stops the server. */
  attendee: AttendeeLedger | null;
  /** Round trips of the attendee that began once the attack had started (their latencies are `attendee.latenciesMs` from this index). */
  attackStartIndex: number;
  baselineRssBytes: number;
  peakRssBytes: number;
  /** Peak above baseline, against the attack's bound. */
  rssGrowthBytes: number;
  rssBoundBytes: number;
  /** The server process still runs and /healthz answers 200 after the attack (false for shutdown-drain, by design). */
  serverUp: boolean;
}

/** Without an attack (the clean reference run), the attendee chats this many round trips. */
export const CLEAN_ROUND_TRIPS = 50;

export async function runAttack(attack: Attack | null, extraOptions: TargetOptions = {}): Promise<AttackOutcome> {
  await attack?.setup?.();
  const target = await startTarget({ ...(attack?.serverOptions ?? {}), ...extraOptions });
  try {
    const transport = attack ? attack.attendeeTransport : 'sse';
    const attendee = transport ? await startAttendee(target.url, transport, `attendee-${process.pid}`) : null;
    if (attendee) await waitForRoundTrips(attendee.roundTrips, WARM_ROUND_TRIPS);
    const attackStartIndex = attendee?.roundTrips() ?? 0;
    if (!attack && attendee) await waitForRoundTrips(attendee.roundTrips, attackStartIndex + CLEAN_ROUND_TRIPS);
    const report = attack ? await attack.run(target) : { refusals: {}, facts: {} };
    // The attendee goes on chatting after the attack: what was queued behind it must arrive too.
    if (attendee) {
      const after = attendee.roundTrips();
      await waitForRoundTrips(attendee.roundTrips, after + WARM_ROUND_TRIPS);
    }
    const ledger = attendee ? await attendee.stop() : null;
    const serverUp = target.alive() && (await healthz(target.url)) === 200;
    const memory = target.alive() ? target.memory() : { rssBytes: 0, peakRssBytes: 0 };
    return {
      attack: attack?.name ?? 'clean',
      report,
      attendee: ledger,
      attackStartIndex,
      baselineRssBytes: target.baselineRssBytes,
      peakRssBytes: memory.peakRssBytes,
      rssGrowthBytes: Math.max(0, memory.peakRssBytes - target.baselineRssBytes),
      rssBoundBytes: attack?.rssBoundBytes ?? 0,
      serverUp,
    };
  } finally {
    await target.stop();
    await attack?.cleanup?.();
  }
}

/** Waits (by polling the count) until the attendee has done `count` round trips, or gives up after a bounded number of looks. */
async function waitForRoundTrips(roundTrips: () => number, count: number): Promise<void> {
  for (let look = 0; look < 3_000 && roundTrips() < count; look += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
