/**
 * Idle CPUs kept out of sleep while the bench measures, as latency tools do
 * (cyclictest): the kernel's PM QoS file `/dev/cpu_dma_latency`, written with
 * 0 µs, holds every CPU in its shallowest idle state for as long as the file
 * stays open — closing it, or the process ending, lets them sleep again.
 *
 * Why: on a VM a process woken on an idle CPU waits for that CPU to come
 * back. On this project's 2-vCPU VM two processes ping-ponging one byte 100
 * ms apart take 0.69 ms per round trip (0.09 ms back to back; 0.23 ms with the
 * hold), and a message in the bench crosses four such wake-ups (publisher →
 * delay proxy → server → delay proxy → subscriber): about a millisecond per
 * message that the machine spends and no transport does, the same for all
 * four, on top of the transit the theory column counts.
 *
 * Writing the file needs root; elsewhere (or with `--cpu-sleep`) the run goes
 * on without, and its context says which it was.
 */
import fs from 'node:fs';
import type { CpuWakeState } from '../../src/results/schema.ts';

export const PM_QOS_FILE = '/dev/cpu_dma_latency';

export interface CpuWakeHold {
  readonly state: CpuWakeState;
  release(): void;
}

/** Holds the CPUs awake through `file` until `release()`; never throws. */
export function holdCpusAwake(file = PM_QOS_FILE): CpuWakeHold {
  let fd: number;
  try {
    fd = fs.openSync(file, 'w');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { state: { held: false, note: `idle CPUs slept as the OS chose (${file}: ${code})` }, release: () => undefined };
  }
  try {
    const zero = Buffer.alloc(4);
    zero.writeInt32LE(0);
    fs.writeSync(fd, zero);
  } catch (error) {
    fs.closeSync(fd);
    return { state: { held: false, note: `idle CPUs slept as the OS chose (${file}: ${(error as Error).message})` }, release: () => undefined };
  }
  let open = true;
  return {
    state: { held: true, note: `idle CPUs held awake (${file} = 0 µs) while measuring` },
    release: () => {
      if (!open) return;
      open = false;
      fs.closeSync(fd);
    },
  };
}

/** The state of a run that did not try (`--cpu-sleep`, or a run started from code). */
export function cpusLeftToSleep(reason: string): CpuWakeHold {
  return { state: { held: false, note: `idle CPUs slept as the OS chose (${reason})` }, release: () => undefined };
}
