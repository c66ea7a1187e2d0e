/**
 * Drives an HTTP endpoint with autocannon in a process of its own (the load
 * side of `--pin`), and reads its JSON result. `rate` = null saturates;
 * a number holds the offered load there (autocannon's -R).
 */
import { coresOver } from '../proc/machine.ts';
import { readCpuSeconds, spawnNode } from '../proc/spawn-node.ts';

export interface AutocannonRun {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  rate: number | null;
  pin: boolean;
  signal?: AbortSignal;
}

export interface AutocannonFigures {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  completed: number;
  /** Responses that were not 2xx, plus errors and timeouts: any of it means loss. */
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU seconds of the autocannon process (the harness's own cost). */
  harnessCpuSeconds: number;
  /** Autocannon's CPU while it drove the load, in cores: near 1 means it, not the server, set the pace. */
  harnessCores: number | null;
}

/** Readings taken before this many ms after the spawn are start-up (loading modules), not load. */
const STARTUP_MS = 400;

/** CPU ÷ wall time between the first reading after start-up and the last one; null with fewer than two. */
export function busyCores(readings: readonly { atMs: number; cpuSeconds: number }[], spawnedAtMs: number): number | null {
  const loaded = readings.filter((reading) => reading.atMs - spawnedAtMs >= STARTUP_MS);
  if (loaded.length < 2) return null;
  const first = loaded[0];
  const last = loaded[loaded.length - 1];
  return coresOver(last.cpuSeconds - first.cpuSeconds, (last.atMs - first.atMs) / 1000);
}

interface AutocannonJson {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  '2xx': number;
}

export function runAutocannon(run: AutocannonRun): Promise<AutocannonFigures> {
  const args = ['-c', String(run.connections), '-d', String(run.seconds), '-j', '-n', '-m', run.method];
  for (const [name, value] of Object.entries(run.headers)) args.push('-H', `${name}=${value}`);
  if (run.body !== undefined) args.push('-b', run.body);
  if (run.rate !== null) args.push('-R', String(Math.max(1, Math.round(run.rate))));
  args.push(run.url);
  const child = spawnNode({ script: 'node_modules/autocannon/autocannon.js', typescript: false, args, pinTo: run.pin ? 'load' : undefined });
  return new Promise((resolve, reject) => {
    // /proc/<pid> is gone after exit: sample the harness's CPU while it runs.
    let harnessCpuSeconds = 0;
    const spawnedAtMs = performance.now();
    const readings: { atMs: number; cpuSeconds: number }[] = [];
    const sampler = setInterval(() => {
      const cpuSeconds = readCpuSeconds(child.pid ?? -1);
      if (cpuSeconds === null) return;
      harnessCpuSeconds = cpuSeconds;
      readings.push({ atMs: performance.now(), cpuSeconds });
    }, 100);
    let stdout = '';
    let stderr = '';
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    child.once('error', reject);
    child.once('close', (code) => {
      run.signal?.removeEventListener('abort', onAbort);
      clearInterval(sampler);
      if (run.signal?.aborted) return reject(new Error('aborted'));
      if (code !== 0) return reject(new Error(`autocannon exited with code ${String(code)}: ${stderr.trim()}`));
      try {
        const json = JSON.parse(stdout) as AutocannonJson;
        resolve({
          requestsPerSecond: json.requests.average,
          latencyP50Ms: json.latency.p50,
          latencyP99Ms: json.latency.p99,
          completed: json['2xx'],
          non2xx: json.non2xx,
          errors: json.errors,
          timeouts: json.timeouts,
          harnessCpuSeconds,
          harnessCores: busyCores(readings, spawnedAtMs),
        });
      } catch (error) {
        reject(new Error(`autocannon printed no JSON result: ${(error as Error).message}; ${stderr.trim()}`));
      }
    });
  });
}
