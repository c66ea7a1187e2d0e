/**
 * The tiny real peers run (tiny-run.ts), its memory part: each figure on a
 * fresh server, once; every ratio a number with its spread and verdict or a
 * reason, and the held clients spread over load processes.
 */
import { describe, expect, it } from 'vitest';
import { formatPeersTable } from '../../bench/peers/index.ts';
import { runTinyPart } from './tiny-run.ts';

describe('runPeers (tiny), memory', () => {
  it('completes with a ratio or a reason for every pair, the clients spread over load processes', async () => {
    const { report } = await runTinyPart('memory');
    // Two load processes for 20 clients at 10 per process: the spreading works.
    expect(report.measurements.find((m) => m.metric === 'longpoll.rssPerHeld' && m.contender === 'node:http')?.workload).toMatch(/2 load process/);
    expect(formatPeersTable(report)).toMatch(/KiB\/conn/);
  }, 120_000);
});
