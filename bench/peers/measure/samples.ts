/**
 * The repeats of one measurement, per metric and contender, in repeat order
 * (sample i of ours pairs with sample i of the reference, measured next to
 * each other). A figure is the median of its samples; ratios.ts pairs them.
 */
import type { PeerConditions } from '../../../src/results/schema.ts';
import { median } from '../spread.ts';
import type { ContenderName, PeerMeasurement, PeerSample } from '../types.ts';
import { completedFigure } from './common.ts';

export class SampleBook {
  private readonly samples = new Map<string, PeerSample[]>();
  private readonly harness = new Map<string, number[]>();

  private static key(metric: string, contender: ContenderName): string {
    return `${metric}\u0000${contender}`;
  }

  add(metric: string, contender: ContenderName, value: number, conditions?: PeerConditions, harnessMicrosPerOperation?: number): void {
    const key = SampleBook.key(metric, contender);
    const list = this.samples.get(key) ?? [];
    list.push(conditions ? { value, conditions } : { value });
    this.samples.set(key, list);
    if (harnessMicrosPerOperation !== undefined) this.harness.set(key, [...(this.harness.get(key) ?? []), harnessMicrosPerOperation]);
  }

  has(metric: string, contender: ContenderName): boolean {
    return (this.samples.get(SampleBook.key(metric, contender))?.length ?? 0) > 0;
  }

  /** The median of the contender's samples, or undefined when there are none. */
  median(metric: string, contender: ContenderName): number | undefined {
    const list = this.samples.get(SampleBook.key(metric, contender));
    return list && list.length > 0 ? median(list.map((sample) => sample.value)) : undefined;
  }

  /** The completed figure (median, every sample), or undefined when nothing was recorded. */
  figure(metric: string, contender: ContenderName, unit: string, workload: string): PeerMeasurement | undefined {
    const key = SampleBook.key(metric, contender);
    const list = this.samples.get(key);
    if (!list || list.length === 0) return undefined;
    const harness = this.harness.get(key);
    const figure = completedFigure(metric, contender, median(list.map((sample) => sample.value)), unit, workload, harness ? median(harness) : undefined);
    return { ...figure, samples: list };
  }
}

/**
 * One figure from the same measurement repeated on fresh servers (the
 * memory runs): the first failure if any repeat failed, otherwise the median
 * of every repeat's samples, in repeat order.
 */
export function mergeRepeats(repeats: PeerMeasurement[]): PeerMeasurement {
  if (repeats.length === 0) throw new Error('mergeRepeats of no measurement');
  const failed = repeats.find((measurement) => !measurement.completed || measurement.value === null);
  if (failed) return failed;
  const samples = repeats.flatMap((measurement) => measurement.samples ?? [{ value: measurement.value ?? 0 }]);
  const harness = repeats.map((measurement) => measurement.harnessCpuMicrosPerOperation).filter((value): value is number => value !== undefined);
  return {
    ...repeats[0],
    value: median(samples.map((sample) => sample.value)),
    samples,
    harnessCpuMicrosPerOperation: harness.length > 0 ? median(harness) : undefined,
  };
}
