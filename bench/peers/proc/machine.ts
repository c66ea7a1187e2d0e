/**
 * What the machine was doing while a figure was measured: CPU time of the
 * whole machine from /proc/stat (busy, steal), the 1-minute load average
 * from /proc/loadavg, and — given the CPU the measured server and the load
 * generators used over the same window — the share of the machine that
 * other work took. saturation.ts judges the readings.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { PeerConditions } from '../../../src/results/schema.ts';

/** USER_HZ: the unit of /proc/stat (100 on every Linux that Node supports). */
const TICKS_PER_SECOND = 100;

interface CpuTicks {
  /**
   * user + nice + system: time processes ran. irq and softirq are left out —
   * on the loopback they are mostly our own traffic's packet processing,
   * which no process's CPU time includes, so they would read as other work.
   */
  busy: number;
  steal: number;
  /** Everything, idle and iowait included. */
  total: number;
}

/** The machine-wide "cpu" line of /proc/stat, or null where there is none. */
export function parseProcStat(text: string): CpuTicks | null {
  const line = text.split('\n').find((row) => row.startsWith('cpu '));
  if (!line) return null;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if ([user, nice, system, idle].some((value) => !Number.isFinite(value))) return null;
  const extra = [iowait, irq, softirq, steal].map((value) => (Number.isFinite(value) ? value : 0));
  return { busy: user + nice + system, steal: extra[3], total: user + nice + system + idle + extra[0] + extra[1] + extra[2] + extra[3] };
}

function readCpuTicks(): CpuTicks | null {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

function readLoadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]) || 0;
  } catch {
    return 0;
  }
}

/**
 * Shorter windows are below what 10 ms CPU ticks can tell apart: one tick
 * more or less would swing a share by 5 % or more, so no share is computed.
 */
export const MIN_WINDOW_SECONDS = 0.2;

/** CPU seconds over wall seconds, in cores; null for a window too short to tell. */
export function coresOver(cpuSeconds: number, wallSeconds: number): number | null {
  return wallSeconds >= MIN_WINDOW_SECONDS ? cpuSeconds / wallSeconds : null;
}

/** What our own processes used over the window, in CPU seconds (null when unreadable). */
export interface OwnCpu {
  serverSeconds: number | null;
  /** All load-generator processes together. */
  harnessSeconds: number | null;
  /** The busiest load-generator process, in cores (CPU seconds ÷ wall seconds). */
  harnessCores: number | null;
}

/** Pure: the conditions of a window from the machine's ticks at both ends and our own CPU. */
export function conditionsOf(before: CpuTicks | null, after: CpuTicks | null, own: OwnCpu, loadAverage: number, cores: number): PeerConditions {
  let otherWorkShare: number | null = null;
  let stealShare: number | null = null;
  if (before && after && after.total - before.total >= MIN_WINDOW_SECONDS * TICKS_PER_SECOND * cores) {
    const total = after.total - before.total;
    stealShare = (after.steal - before.steal) / total;
    if (own.serverSeconds !== null && own.harnessSeconds !== null) {
      const ownTicks = (own.serverSeconds + own.harnessSeconds) * TICKS_PER_SECOND;
      otherWorkShare = Math.max(0, after.busy - before.busy - ownTicks) / total;
    }
  }
  return { harnessCores: own.harnessCores, otherWorkShare, stealShare, loadAverage, cores };
}

/** A measurement window: open it before the load starts, close it when the load is done. */
export class MachineWindow {
  private readonly before = readCpuTicks();

  /** The conditions over the window; saturation.ts decides, per figure, whether they spoil it. */
  close(own: OwnCpu): PeerConditions {
    return conditionsOf(this.before, readCpuTicks(), own, readLoadAverage(), cpus().length);
  }
}
