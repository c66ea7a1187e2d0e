/**
 * The faults scenario's arithmetic, pure (STYLE: aggregate is math tested
 * against known values): spreads of times, and the delivery ledger — what
 * was lost, duplicated, or covered by a gap the reader was told of.
 */
import { percentile } from '../aggregate/stats.ts';
import type { DeliveryFigures, Spread } from '../../src/results/faults.ts';

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { p50: 0, max: 0, count: 0 };
  return { p50: percentile(values, 50), max: Math.max(...values), count: values.length };
}

/** A publish the server acknowledged: its id, and the epoch (server incarnation) it went to. */
export interface SentMessage {
  id: string;
  epoch: number;
}

/** What one reader's application saw. */
export interface ReaderLog {
  /** Ids in the order delivered (repeats kept: they are what we count). */
  delivered: string[];
  /** Epochs (server incarnations) for which the reader was told of a gap that covers history lost with the server. */
  epochsGapped: Set<number>;
}

/**
 * Per reader, every sent message is delivered, or — when its epoch's history
 * went with a restarted server and the reader was told so by a gap — gapped;
 * anything else is lost.
 */
export function tallyDelivery(sent: readonly SentMessage[], readers: readonly ReaderLog[], publishFailures: number): DeliveryFigures {
  const figures: DeliveryFigures = {
    sent: sent.length, expected: sent.length * readers.length, delivered: 0, lost: 0, duplicated: 0, gapped: 0, publishFailures,
  };
  for (const reader of readers) {
    const seen = new Set<string>();
    for (const id of reader.delivered) {
      if (seen.has(id)) figures.duplicated += 1;
      else seen.add(id);
    }
    for (const message of sent) {
      if (seen.has(message.id)) figures.delivered += 1;
      else if (reader.epochsGapped.has(message.epoch)) figures.gapped += 1;
      else figures.lost += 1;
    }
  }
  return figures;
}

/** What the recovery cost beyond the quiet baseline: never below 0 (a quieter window is not a saving we claim). */
export function beyondBaseline(inWindow: number, baselinePerMs: number, windowMs: number): number {
  return Math.max(0, Math.round(inWindow - baselinePerMs * windowMs));
}
