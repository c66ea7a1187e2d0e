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
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssBytes: field(status, 'VmRSS'), peakRssBytes: field(status, 'VmHWM') };
}

function field(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${name}`);
  return Number(match[1]) * 1024;
}

export const MIB = 1024 * 1024;
