/**
 * What every subscriber process counts per round: it says `armed` as soon as
 * it has reset for a round (the rig publishes only then, so a fast server's
 * first delivery cannot land in the previous round), counts per subscriber,
 * and counts a delivery whose index is not above that subscriber's previous
 * one as out of order.
 */
import { describe, expect, it } from 'vitest';
import type { WorkerReport } from '../../bench/peers/load/messages.ts';
import { RoundCounter } from '../../bench/peers/load/round-counter.ts';

type RoundReport = Extract<WorkerReport, { type: 'round' }>;

describe('RoundCounter', () => {
  it('reports armed on a new round, before any delivery of it is counted', () => {
    const reports: WorkerReport[] = [];
    const counter = new RoundCounter(2, (report) => reports.push(report));
    counter.delivery(0, 0, -1); // a late delivery of an earlier round
    counter.handle({ type: 'round', round: 7, expectPerSubscriber: 2, recordLatency: false });
    expect(reports).toEqual([{ type: 'armed', round: 7 }]);
    for (const client of [0, 1]) for (const index of [0, 1]) counter.delivery(client, index, -1);
    const round = reports.find((report): report is RoundReport => report.type === 'round');
    expect(round).toMatchObject({ round: 7, total: 4, minPerSubscriber: 2, outOfOrder: 0 });
  });

  it('counts a repeated or earlier index as out of order, per subscriber', () => {
    const reports: WorkerReport[] = [];
    const counter = new RoundCounter(2, (report) => reports.push(report));
    counter.handle({ type: 'round', round: 1, expectPerSubscriber: 3, recordLatency: false });
    for (const index of [0, 2, 1]) counter.delivery(0, index, -1);
    for (const index of [0, 1, 1]) counter.delivery(1, index, -1);
    const round = reports.find((report): report is RoundReport => report.type === 'round');
    expect(round).toMatchObject({ total: 6, minPerSubscriber: 3, outOfOrder: 2 });
  });

  it('reports what there is when asked, with the subscriber that got least', () => {
    const reports: WorkerReport[] = [];
    const counter = new RoundCounter(3, (report) => reports.push(report));
    counter.handle({ type: 'round', round: 2, expectPerSubscriber: 5, recordLatency: false });
    counter.delivery(0, 0, -1);
    counter.handle({ type: 'report', round: 2 });
    const round = reports.find((report): report is RoundReport => report.type === 'round');
    expect(round).toMatchObject({ total: 1, minPerSubscriber: 0 });
  });
});
