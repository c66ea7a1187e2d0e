/**
 * The pure parts of issues 12 and 13, against known values: median and
 * spread, the "not distinguishable" verdict, the saturation verdict and the
 * readings it is made from (/proc/stat, autocannon's CPU), and the units the
 * table prints.
 */
import { describe, expect, it } from 'vitest';
import { busyCores } from '../../bench/peers/measure/autocannon.ts';
import { mergeRepeats } from '../../bench/peers/measure/samples.ts';
import { conditionsOf, coresOver, parseProcStat } from '../../bench/peers/proc/machine.ts';
import { saturationOf, sensitivityOf, SATURATION_LIMITS } from '../../bench/peers/saturation.ts';
import { median, spreadOf, verdictOf } from '../../bench/peers/spread.ts';
import type { PeerConditions, PeerMeasurement, PeerRatio } from '../../bench/peers/types.ts';
import { formatPeerFigure, formatPeerRatio, formatPeerSpread, formatPeerVerdict, peerUnitOf } from '../../bench/peers/units.ts';

describe('median and spread', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(/no values/);
  });

  it('spreadOf gives the median with min and max', () => {
    expect(spreadOf([0.9, 1.3, 1.1, 0.95, 1.05])).toEqual({ median: 1.05, min: 0.9, max: 1.3 });
  });
});

describe('verdictOf', () => {
  it('is "not distinguishable" when the spread is at least as wide as the gap to 1', () => {
    // gap 0.20, spread 0.25
    expect(verdictOf({ median: 0.8, min: 0.7, max: 0.95, count: 3 }, true)).toBe('not distinguishable');
    // gap 0.10, spread exactly 0.10
    expect(verdictOf({ median: 1.1, min: 1.05, max: 1.15, count: 3 }, true)).toBe('not distinguishable');
    // parity with no spread at all is no difference either
    expect(verdictOf({ median: 1, min: 1, max: 1, count: 3 }, false)).toBe('not distinguishable');
  });

  it('names who is ahead, by the figure\'s direction, when the repeats agree', () => {
    // gap 0.30, spread 0.10
    expect(verdictOf({ median: 0.7, min: 0.65, max: 0.75, count: 3 }, true)).toBe('reference ahead');
    expect(verdictOf({ median: 0.7, min: 0.65, max: 0.75, count: 3 }, false)).toBe('ours ahead');
    expect(verdictOf({ median: 1.3, min: 1.25, max: 1.35, count: 3 }, true)).toBe('ours ahead');
    expect(verdictOf({ median: 1.3, min: 1.25, max: 1.35, count: 3 }, false)).toBe('reference ahead');
  });

  it('gives no verdict from a single run', () => {
    expect(verdictOf({ median: 2, min: 2, max: 2, count: 1 }, true)).toBe('one run');
  });
});

describe('saturationOf', () => {
  const quiet: PeerConditions = { harnessCores: 0.6, otherWorkShare: 0.05, stealShare: 0.01, loadAverage: 2.2, cores: 2 };

  it('passes a quiet machine with a load generator below its limit', () => {
    expect(saturationOf(quiet, 'rate')).toBeNull();
    // Our own server and load processes alone keep the load average near 3–4 on 2 cores.
    expect(saturationOf({ ...quiet, loadAverage: 4 }, 'rate')).toBeNull();
    expect(saturationOf({ ...quiet, harnessCores: SATURATION_LIMITS.harnessCores }, 'rate')).toBeNull();
  });

  it('names every reason, with its figure', () => {
    const loaded: PeerConditions = { harnessCores: 0.96, otherWorkShare: 0.38, stealShare: 0.08, loadAverage: 7.26, cores: 2 };
    expect(saturationOf(loaded, 'rate')).toBe(
      'load generator CPU-bound (96 % of a core), other work took 38 % of the 2 cores, CPU steal 8 %',
    );
  });

  it('judges by the load average only where other work could not be measured (it counts our own processes too)', () => {
    // A WebSocket fan-out to 1,000 subscribers on a quiet machine: our own processes hold the load at 7.
    const ownLoad: PeerConditions = { harnessCores: 0.6, otherWorkShare: 0.03, stealShare: 0, loadAverage: 7.1, cores: 2 };
    expect(saturationOf(ownLoad, 'rate')).toBeNull();
    expect(saturationOf(ownLoad, 'cpu')).toBeNull();
    expect(saturationOf({ ...ownLoad, otherWorkShare: null }, 'rate')).toBe('load average 7.1 on 2 cores');
  });

  it('ignores the load generator for CPU per operation, and everything for memory', () => {
    expect(saturationOf({ ...quiet, harnessCores: 0.99 }, 'cpu')).toBeNull();
    expect(saturationOf({ ...quiet, otherWorkShare: 0.3 }, 'cpu')).toBe('other work took 30 % of the 2 cores');
    expect(saturationOf({ harnessCores: 1, otherWorkShare: 0.9, stealShare: 0.5, loadAverage: 20, cores: 2 }, 'memory')).toBeNull();
  });

  it('treats unreadable figures as unknown, not as saturated', () => {
    expect(saturationOf({ harnessCores: null, otherWorkShare: null, stealShare: null, loadAverage: 0, cores: 2 }, 'rate')).toBeNull();
  });

  it('knows each metric\'s sensitivity from its id', () => {
    expect(['poll.rps', 'fanout.100.deliveries', 'poll.p99', 'longpoll.release'].map(sensitivityOf)).toEqual(['rate', 'rate', 'rate', 'rate']);
    expect(['poll.serverCpu', 'fanout.1000.serverCpu', 'longpoll.releaseCpu'].map(sensitivityOf)).toEqual(['cpu', 'cpu', 'cpu']);
    expect(['longpoll.rssPerHeld', 'ws.idleRssPerConnection'].map(sensitivityOf)).toEqual(['memory', 'memory']);
  });
});

describe('machine readings', () => {
  it('parses the machine-wide line of /proc/stat', () => {
    const text = 'cpu  100 5 50 800 10 3 2 30 0 0\ncpu0 50 2 25 400 5 1 1 15 0 0\nintr 1 2 3\n';
    // busy = user + nice + system (irq and softirq are mostly our own loopback traffic); total counts everything.
    expect(parseProcStat(text)).toEqual({ busy: 155, steal: 30, total: 1000 });
    expect(parseProcStat('intr 1 2 3\n')).toBeNull();
  });

  it('derives other work and steal from two readings and our own CPU', () => {
    // 2 cores × 2 s = 400 ticks; busy 300 ticks = 3 CPU s, of which server 1.5 s and harness 0.9 s: other 0.6 s = 15 %.
    const conditions = conditionsOf(
      { busy: 1000, steal: 100, total: 10_000 },
      { busy: 1300, steal: 120, total: 10_400 },
      { serverSeconds: 1.5, harnessSeconds: 0.9, harnessCores: 0.45 },
      1.7,
      2,
    );
    expect(conditions.otherWorkShare).toBeCloseTo(0.15, 9);
    expect(conditions.stealShare).toBeCloseTo(0.05, 9);
    expect(conditions).toMatchObject({ harnessCores: 0.45, loadAverage: 1.7, cores: 2 });
  });

  it('never reports negative other work, and none at all without our own CPU', () => {
    const before = { busy: 0, steal: 0, total: 0 };
    const after = { busy: 100, steal: 0, total: 400 };
    expect(conditionsOf(before, after, { serverSeconds: 0.8, harnessSeconds: 0.4, harnessCores: 0.2 }, 1, 2).otherWorkShare).toBe(0);
    expect(conditionsOf(before, after, { serverSeconds: null, harnessSeconds: 0.4, harnessCores: 0.2 }, 1, 2).otherWorkShare).toBeNull();
    expect(conditionsOf(null, after, { serverSeconds: 0.8, harnessSeconds: 0.4, harnessCores: 0.2 }, 1, 2).stealShare).toBeNull();
  });

  it('computes no share over a window too short for 10 ms ticks', () => {
    // 2 cores × 0.1 s = 20 ticks: one tick more or less would move a share by 5 %.
    const short = conditionsOf({ busy: 0, steal: 0, total: 0 }, { busy: 20, steal: 2, total: 20 }, { serverSeconds: 0, harnessSeconds: 0, harnessCores: null }, 1, 2);
    expect(short).toMatchObject({ otherWorkShare: null, stealShare: null });
    expect(coresOver(0.05, 0.1)).toBeNull();
    expect(coresOver(0.5, 0.5)).toBe(1);
  });

  it('measures autocannon\'s busy cores after its start-up, not over it', () => {
    // Start-up burns 0.3 s of CPU in the first 300 ms; then 0.95 s of CPU per second of load.
    const readings = [
      { atMs: 1100, cpuSeconds: 0.3 },
      { atMs: 1500, cpuSeconds: 0.4 },
      { atMs: 2500, cpuSeconds: 1.35 },
      { atMs: 3500, cpuSeconds: 2.3 },
    ];
    expect(busyCores(readings, 1000)).toBeCloseTo(0.95, 9);
    expect(busyCores(readings.slice(0, 2), 1000)).toBeNull();
  });
});

describe('mergeRepeats', () => {
  const base: PeerMeasurement = { metric: 'longpoll.release', contender: 'ours', value: 0, unit: 'ms', completed: true, workload: 'w' };

  it('keeps every repeat\'s sample, in order, and the median as the value', () => {
    const merged = mergeRepeats([30, 10, 20].map((value) => ({ ...base, value, samples: [{ value }] })));
    expect(merged.value).toBe(20);
    expect(merged.samples?.map((sample) => sample.value)).toEqual([30, 10, 20]);
  });

  it('is the failure when any repeat failed', () => {
    const failure = { ...base, value: null, completed: false, reason: '3 of 20 long polls not released' };
    expect(mergeRepeats([{ ...base, value: 10 }, failure])).toBe(failure);
  });
});

describe('units in the peers table', () => {
  const ratio = (extra: Partial<PeerRatio>): PeerRatio => ({
    transport: 'poll', metric: 'poll requests/s at saturation', reference: 'node:http', ours: 1, theirs: 1, ratio: 1, higherIsBetter: true, ...extra,
  });

  it('prints each figure with its unit', () => {
    expect(formatPeerFigure(12_345.4, 'req/s')).toBe('12,345 req/s');
    expect(formatPeerFigure(250_000, 'deliveries/s')).toBe('250,000 deliveries/s');
    expect(formatPeerFigure(12.34, 'µs')).toBe('12.3 µs/op');
    expect(formatPeerFigure(3584, 'bytes')).toBe('3.5 KiB/conn');
    expect(formatPeerFigure(4.1, 'ms')).toBe('4.10 ms');
    expect(formatPeerFigure(1234, 'ms')).toBe('1,234 ms');
    expect(formatPeerFigure(null, 'ms')).toBe('—');
  });

  it('reads the unit of results written before units were stored from the label', () => {
    expect(peerUnitOf({ metric: 'RSS per idle connection at 10,000' })).toBe('bytes');
    expect(peerUnitOf({ metric: 'fan-out server CPU per delivery, 100 subscribers' })).toBe('µs');
    expect(peerUnitOf({ metric: 'time to release 10,000 held requests' })).toBe('ms');
    expect(peerUnitOf({ metric: 'fan-out deliveries/s, 100 subscribers' })).toBe('deliveries/s');
    expect(peerUnitOf({ metric: 'poll requests/s at saturation', unit: 'req/s' })).toBe('req/s');
  });

  it('prints the median ratio with its spread and verdict, or "saturated" and no number', () => {
    const held = ratio({ ratio: 0.93, spread: { min: 0.88, max: 1.02 }, verdict: 'not distinguishable' });
    expect([formatPeerRatio(held), formatPeerSpread(held), formatPeerVerdict(held)]).toEqual(['0.93×', '0.88–1.02', 'not distinguishable']);
    const saturated = ratio({ ratio: null, saturated: 'ours: load generator CPU-bound (97 % of a core) (1 of 3 repeats)' });
    expect([formatPeerRatio(saturated), formatPeerSpread(saturated), formatPeerVerdict(saturated)]).toEqual(['saturated', '', 'saturated']);
    expect(formatPeerRatio(ratio({ ratio: null, reason: 'ours: not measured' }))).toBe('missing');
  });
});
