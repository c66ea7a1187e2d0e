/**
 * Issue 12 item 3 at a tiny size: the memory part alone (`parts`), with the
 * scale sizes overridden down, spreads the clients over load processes of at
 * most `clientsPerProcess`, measures RSS per connection against the library
 * references in their own protocols, releases every held poll, and refuses
 * sizes that would pass the descriptor limit. The full size (19,000 idle,
 * 15,000 held) is for a quiet machine: `--peers-scale limit`.
 */
import { describe, expect, it } from 'vitest';
import { checkDescriptorBudget, formatPeersTable, runPeers } from '../../bench/peers/index.ts';
import { FULL_SIZES, SCALE_SIZES } from '../../bench/peers/types.ts';

describe('peers at the process limit (tiny)', () => {
  it('runs the memory part only, spread over load processes, against the libraries', async () => {
    const report = await runPeers({
      quick: true,
      pin: false,
      scale: true,
      parts: ['memory'],
      contenders: ['ours', 'socket.io-polling', 'faye', 'better-sse'],
      sizes: { idleClients: 24, heldClients: 18, clientsPerProcess: 8, settleMs: 50, memoryRepeats: 1, warmClients: 0 },
    });
    expect(report.incomplete).toBe(false);
    expect(report.scale).toBe(true);
    expect(report.parts).toEqual(['held', 'idle-ws', 'idle-sse']);
    // No throughput figure was measured, and no throughput ratio is listed.
    expect(report.measurements.every((m) => /Rss|rss|release/.test(m.metric))).toBe(true);
    expect(report.ratios.every((ratio) => /RSS|release/.test(ratio.metric))).toBe(true);
    const figure = (metric: string, contender: string) => report.measurements.find((m) => m.metric === metric && m.contender === contender);
    // 24 idle clients at 8 per process: three load processes; 18 held: three.
    expect(figure('ws.idleRssPerConnection', 'faye')?.workload).toMatch(/^24 idle subscribed ws clients, 3 load process/);
    expect(figure('sse.idleRssPerConnection', 'better-sse')?.workload).toMatch(/^24 idle subscribed sse clients, 3 load process/);
    expect(figure('longpoll.rssPerHeld', 'socket.io-polling')?.workload).toMatch(/^18 held long polls, 3 load process/);
    // Every held poll of every contender was released by the one publish.
    for (const contender of ['ours', 'socket.io-polling', 'faye']) {
      const release = figure('longpoll.release', contender);
      expect(release?.completed, `${contender}: ${release?.reason}`).toBe(true);
      expect(release?.value).toBeGreaterThan(0);
    }
    for (const contender of ['faye', 'better-sse']) {
      const idle = figure(contender === 'faye' ? 'ws.idleRssPerConnection' : 'sse.idleRssPerConnection', contender);
      expect(idle?.completed, `${contender}: ${idle?.reason}`).toBe(true);
    }
    const table = formatPeersTable(report);
    expect(table).toMatch(/AT THE PROCESS'S LIMIT: 24 idle ws\/sse connections, 18 held long polls/);
    expect(table).toMatch(/faye 1\.\d+\.\d+ long-polling/);
    expect(report.versions['better-sse']).toMatch(/^better-sse@/);
  }, 240_000);

  it('sizes the full run at 19,000 idle and 15,000 held, within the descriptor budget', () => {
    expect(SCALE_SIZES).toMatchObject({ idleClients: 19_000, heldClients: 15_000 });
    expect(() => checkDescriptorBudget({ ...FULL_SIZES, ...SCALE_SIZES })).not.toThrow();
    expect(() => checkDescriptorBudget({ ...FULL_SIZES, ...SCALE_SIZES, clientsPerProcess: 19_000 })).toThrow(/per load process/);
    expect(() => checkDescriptorBudget({ ...FULL_SIZES, idleClients: 19_800 })).toThrow(/descriptor limit/);
  });
});
