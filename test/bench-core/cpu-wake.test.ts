/**
 * The bench holds idle CPUs awake through the kernel's PM QoS file while it
 * measures (bench/run/cpu-wake.ts): 0 µs written as one 32-bit integer, the
 * file kept open until the run ends; where the file cannot be opened the run
 * goes on and says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpusLeftToSleep, holdCpusAwake } from '../../bench/run/cpu-wake.ts';
import { formatSummary } from '../../bench/report/terminal.ts';
import { renderHtmlReport } from '../../bench/report/html.ts';
import { makeResultsFixture } from './fixture.ts';

describe('holding idle CPUs awake while measuring', () => {
  it('writes 0 µs as a 32-bit integer and keeps the file open until released', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cpu-wake-'));
    const file = path.join(dir, 'cpu_dma_latency');
    fs.writeFileSync(file, '');
    const openBefore = fs.readdirSync('/proc/self/fd').length;
    const hold = holdCpusAwake(file);
    try {
      expect(hold.state.held).toBe(true);
      expect(hold.state.note).toContain(`${file} = 0 µs`);
      expect([...fs.readFileSync(file)]).toEqual([0, 0, 0, 0]);
      // The kernel keeps the request only while the file is open.
      expect(fs.readdirSync('/proc/self/fd').length).toBe(openBefore + 1);
    } finally {
      hold.release();
      hold.release();
      fs.rmSync(dir, { recursive: true });
    }
    expect(fs.readdirSync('/proc/self/fd').length).toBe(openBefore);
  });

  it('goes on without, and says why, where the file cannot be opened', () => {
    const hold = holdCpusAwake('/nonexistent-dir/cpu_dma_latency');
    expect(hold.state).toEqual({ held: false, note: 'idle CPUs slept as the OS chose (/nonexistent-dir/cpu_dma_latency: ENOENT)' });
    expect(() => hold.release()).not.toThrow();
    expect(cpusLeftToSleep('--cpu-sleep').state.held).toBe(false);
  });

  it('the summary and the report say which it was', () => {
    const results = makeResultsFixture();
    results.context.cpuWake = { held: true, note: 'idle CPUs held awake (/dev/cpu_dma_latency = 0 µs) while measuring' };
    expect(formatSummary(results)).toContain('Machine: idle CPUs held awake (/dev/cpu_dma_latency = 0 µs) while measuring.');
    expect(renderHtmlReport(results)).toContain('idle CPUs held awake (/dev/cpu_dma_latency = 0 µs) while measuring');
  });
});
