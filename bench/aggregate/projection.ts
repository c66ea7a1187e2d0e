/**
 * The projection: bandwidth for many clients from the measured bytes per
 * client per second — the table of "HTML5 Web Sockets: A Quantum Leap in
 * Scalability for the Web", reproduced from measurement. The article's
 * "Mbps" are 2^20 bits per second (871 B × 1,000 /s = 6,968,000 bit/s,
 * which it prints as 6.6 Mbps); both units are given.
 */
import type { Projection, ProjectionRow } from '../../src/results/schema.ts';

export const PROJECTION_CLIENTS = [1_000, 10_000, 100_000] as const;

const BITS_PER_MEGABIT = 1_000_000;
const BITS_PER_MEBIBIT = 1_048_576;

export function projectBandwidth(
  bytesPerClientPerSecond: number,
  clients: readonly number[] = PROJECTION_CLIENTS,
): Projection {
  const rows: ProjectionRow[] = clients.map((count) => {
    const bytesPerSecond = bytesPerClientPerSecond * count;
    return {
      clients: count,
      bytesPerSecond,
      megabitsPerSecond: (bytesPerSecond * 8) / BITS_PER_MEGABIT,
      mebibitsPerSecond: (bytesPerSecond * 8) / BITS_PER_MEBIBIT,
    };
  });
  return { bytesPerClientPerSecond, rows };
}

/** Bytes per client per second from a run's totals (0 for an empty run). */
export function bytesPerClientPerSecond(totalBytes: number, clients: number, seconds: number): number {
  return clients > 0 && seconds > 0 ? totalBytes / clients / seconds : 0;
}
