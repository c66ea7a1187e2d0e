import { describe, expect, it } from 'vitest';
import type { ChartDataset } from 'chart.js';
import { CHART_IDS, chartConfigsFor, formatSummary } from '../../bench/report/index.ts';
import { makeResultsFixture } from './fixture.ts';

const results = makeResultsFixture();

function dataset(id: string, label?: string): ChartDataset {
  const spec = chartConfigsFor(results, 'chat').find((candidate) => candidate.id === id);
  if (!spec) throw new Error(`no chart ${id}`);
  const datasets = spec.config.data.datasets;
  return (label ? datasets.find((candidate) => candidate.label === label) : datasets[0]) as ChartDataset;
}

describe('chartConfigsFor', () => {
  it('gives every chart, in order, each with a one-sentence caption and a reading guide', () => {
    const specs = chartConfigsFor(results, 'chat');
    expect(specs.map((spec) => spec.id)).toEqual([...CHART_IDS]);
    for (const spec of specs) {
      expect(spec.caption).toMatch(/^[A-Z][^.]*\.$/);
      expect(spec.howToRead.length).toBeGreaterThan(40);
    }
  });

  it('configs are plain data (no functions), so they survive structuredClone and JSON', () => {
    for (const scenario of results.scenarios) {
      for (const spec of chartConfigsFor(results, scenario.name)) {
        expect(JSON.parse(JSON.stringify(spec.config))).toEqual(spec.config);
        expect(structuredClone(spec.config)).toEqual(spec.config);
      }
    }
  });

  it('reads figures from the results, never recomputes them', () => {
    const chat = results.scenarios[0];
    expect(dataset('latency', 'p99').data).toEqual(chat.transports.map((row) => row.latency.p99));
    expect(dataset('bytes', 'headers').data).toEqual(chat.transports.map((row) => row.perDelivery.headers));
    expect(dataset('requests').data).toEqual(chat.transports.map((row) => row.perDelivery.requests));
    expect(dataset('theory', 'theory mean').data).toEqual(chat.transports.map((row) => row.theory.meanMs));
    expect(dataset('series-deliveries').data).toEqual(chat.transports[0].series.map((point) => ({ x: point.t, y: point.deliveries })));
  });

  it('uses a log scale when poll and push latencies are orders of magnitude apart', () => {
    const latency = chartConfigsFor(results, 'chat')[0];
    const y = (latency.config.options?.scales as Record<string, { type?: string }>).y;
    expect(y.type).toBe('logarithmic');
    // Every bar rises from the axis: its minimum is at or below the shortest bar.
    const min = (latency.config.options?.scales as Record<string, { min?: number }>).y.min as number;
    const shortest = Math.min(...latency.config.data.datasets.flatMap((d) => d.data as number[]));
    expect(min).toBeLessThanOrEqual(shortest);
    expect(min).toBeGreaterThan(shortest / 10);
    // In the idle scenario nothing was delivered: no log scale over zeros.
    const idle = chartConfigsFor(results, 'idle')[0];
    expect((idle.config.options?.scales as Record<string, { type?: string }>).y.type).toBe('linear');
  });

  it('where nothing was delivered (idle), shows the cost per client per second instead', () => {
    const idle = results.scenarios[1];
    const bytes = chartConfigsFor(results, 'idle').find((spec) => spec.id === 'bytes');
    expect(bytes?.title).toBe('Bytes on the wire per client per second');
    expect(bytes?.config.data.datasets[0].data).toEqual(idle.transports.map((row) => row.perClientPerSecond?.headers));
    expect(chartConfigsFor(results, 'chat').find((spec) => spec.id === 'bytes')?.title).toBe('Bytes on the wire per delivered message');
  });

  it('names the scenarios it has when asked for one it has not', () => {
    expect(() => chartConfigsFor(results, 'burst')).toThrow(/chat, idle/);
  });
});

describe('terminal summary', () => {
  it('has a row per transport with its key figures', () => {
    const text = formatSummary(results);
    const pollRow = text.split('\n').find((line) => line.startsWith('short poll') && line.includes('2,000'));
    expect(pollRow).toBeDefined();
    expect(pollRow).toContain('389 ms');
    expect(text).toContain('WebSocket');
    expect(text).toContain('ours lost 3 messages');
  });

  it('flags an incomplete run', () => {
    expect(formatSummary({ ...results, incomplete: true })).toMatch(/^!! INCOMPLETE RUN/);
  });
});
