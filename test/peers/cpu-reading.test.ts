import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { readCpuSeconds, readCpuTicksSeconds } from '../../bench/peers/proc/spawn-node.ts';

/**
 * The peers' CPU figures read a server's CPU time to the nanosecond (schedstat
 * of every thread), not in 10 ms ticks: a release costs ~250 ms of CPU, so
 * ticks would round its ratio by ±4 %.
 */
describe('the server CPU reading of the peers bench', () => {
  it('agrees with the kernel ticks and is finer than them', async () => {
    // Burns at least 200 ms of CPU, says so, then waits (idle) for its stdin to close.
    const child = spawn(process.execPath, ['-e', `
      const start = process.cpuUsage();
      while (process.cpuUsage(start).user < 200_000) Math.sqrt(Math.random());
      process.stdout.write('burnt\\n');
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));
    `], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await once(child.stdout, 'data');
      const fine = readCpuSeconds(child.pid!);
      const ticks = readCpuTicksSeconds(child.pid!);
      expect(fine).not.toBeNull();
      expect(ticks).not.toBeNull();
      expect(fine!).toBeGreaterThanOrEqual(0.2);
      // Ticks round each of user and system time down to 10 ms.
      expect(Math.abs(fine! - ticks!)).toBeLessThan(0.03);
      expect(Number.isInteger(Math.round(fine! * 1e9) / 1e7)).toBe(false);
    } finally {
      child.stdin.end();
      await once(child, 'exit');
    }
  });
});
