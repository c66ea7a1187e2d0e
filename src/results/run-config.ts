/**
 * Where, when and with what settings a run happened: the context and the
 * configuration a results file opens with (schema.ts re-exports them).
 */
import type { TransportName } from '../protocol/index.ts';
import type { NetworkConditions } from '../net/conditions.ts';

/** Where and when the run happened. */
export interface RunContext {
  /** `process.version`, e.g. "v20.19.5". */
  node: string;
  /** `${os.type()} ${os.release()} ${os.arch()}`. */
  os: string;
  cpuModel: string;
  cores: number;
  /** `git rev-parse HEAD`, null outside a checkout; `dirty` when the tree had changes. */
  commit: string | null;
  dirty?: boolean;
  /** ISO 8601 start time of the run. */
  date: string;
  /** Whether the server and client processes were pinned to cores (`--pin`). */
  pinned: boolean;
  /** Free text, e.g. "2 vCPU shared VM". */
  machine?: string;
  /** Whether idle CPUs were held awake while measuring (bench/run/cpu-wake.ts); absent in older runs. */
  cpuWake?: CpuWakeState;
}

/** Idle CPUs held out of sleep during a run (PM QoS), or not and why. */
export interface CpuWakeState {
  held: boolean;
  /** One line for the report, e.g. "idle CPUs held awake (/dev/cpu_dma_latency = 0 µs) while measuring". */
  note: string;
}

/** A network profile as used by the run (see src/net/profiles.ts). */
export interface NetworkConfig {
  name: string;
  rttMs: number;
  /** Bytes per second per direction per connection; absent = unlimited. */
  bandwidthBytesPerSecond?: number;
  /** Jitter, stalls, cuts, idle drop (src/net/conditions.ts); absent = a fixed delay only. */
  conditions?: NetworkConditions;
  /** The conditions on one line, as the report prints them. */
  description?: string;
}

/** The full configuration of the run, as resolved from defaults and flags. */
export interface BenchConfig {
  scenarios: string[];
  transports: TransportName[];
  clients: number;
  /** Messages per second per publisher. */
  publishRatePerSecond: number;
  durationSeconds: number;
  warmupSeconds: number;
  bodyBytes: number;
  pollIntervalMs: number;
  longPollWaitSeconds: number;
  network: NetworkConfig;
  /** A header profile name of bench/headers (`minimal`, `browser`, …). */
  headers: string;
  quick: boolean;
  pin: boolean;
  clientProcesses: number;
  /** The command line, for the record. */
  argv: string[];
  /** `--http`: the HTTP versions the HTTP transports ran over; absent = HTTP/1.1 only. */
  http?: ('1.1' | '2' | '2-tls')[];
  /** Anything else the runner wants to keep with the config. */
  extra?: Record<string, unknown>;
}

/** What one scenario asked of every transport. */
export interface ScenarioParams {
  clients: number;
  publishers: number;
  /** Messages per second per publisher. */
  publishRatePerSecond: number;
  durationSeconds: number;
  bodyBytes: number;
  pollIntervalMs: number;
  longPollWaitSeconds: number;
  /** `burst`: messages published at once per burst. */
  burstSize?: number;
  network: NetworkConfig;
  headers: string;
  /**
   * What the message bodies held (`--body`): `filler`, a time stamp padded
   * with "x"; `chat`, chat-like text with JSON-ish user fields (seeded, the
   * default of `--compression` runs). Absent in files written before it: filler.
   */
  body?: 'filler' | 'chat';
}
