/**
 * A scenario is data (STYLE habit 6): a name, a sentence, the settings it
 * needs to make its point, and who subscribes to what and publishes what.
 * The runner loops over scenarios × transports; nothing here opens a socket.
 */
import type { ClientSpec } from '../run/ipc.ts';
import type { NetworkConfig } from '../schema.ts';

/** Every knob of a workload; flags override scenario defaults, which override the global ones. */
export interface WorkloadSettings {
  clients: number;
  /** Messages per second per publisher (bursts per second for `burst`). */
  publishRatePerSecond: number;
  durationSeconds: number;
  bodyBytes: number;
  pollIntervalMs: number;
  longPollWaitSeconds: number;
  /** Messages per burst (`burst` only; 1 elsewhere). */
  burstSize: number;
  network: NetworkConfig;
  headers: string;
}

export interface WorkloadPlan {
  /** Everyone in the workload, subscribers and publishers. */
  clients: ClientSpec[];
  /** How many of them publish. */
  publishers: number;
}

export interface WorkloadScenario {
  kind: 'workload';
  name: string;
  description: string;
  /** What this scenario needs, unless a flag says otherwise. */
  defaults: Partial<WorkloadSettings>;
  /** `prefix` keeps session names unique within one server. */
  plan(settings: WorkloadSettings, prefix: string): WorkloadPlan;
}

/** A part of the bench with its own runner (`http-ceiling`, `peers`). */
export interface CustomScenario {
  kind: 'custom';
  name: string;
  description: string;
  defaults: Partial<WorkloadSettings>;
}

export type Scenario = WorkloadScenario | CustomScenario;
