/**
 * A process's memory as the kernel counts it (/proc/<pid>/status): `VmRSS`
 * now and `VmHWM`, the peak resident set since the process started. The peak
 * comes from the kernel, so no spike between two samples can be missed.
 */
import { readFileSync } from 'node:fs';

export interface MemoryReading {
  rssBytes: number;
  peakRssBytes: number;
}

export function readMemory(pid: number): MemoryReading {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // Gone already: nothing resident.
  }
  return { rssBytes: field(status, 'VmRSS'), peakRssBytes: field(status, 'VmHWM') };
}

function field(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  // A process that has exited but is not yet reaped has no memory lines: nothing resident.
  if (!match) return 0;
  return Number(match[1]) * 1024;
}

export const MIB = 1024 * 1024;
