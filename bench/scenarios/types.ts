/**
 * A scenario is data (STYLE habit 6): a name, a sentence, the settings it
 * needs to make its point, and who subscribes to what and publishes what.
 * The runner loops over scenarios × transports; nothing here opens a socket.
 */
import type { NetworkConfig } from '../../src/results/schema.ts';
import type { BodyKind } from '../sim/chat-body.ts';

/** What one simulated client does. */
export interface ClientSpec {
  /** Session name, unique in the server for the whole run. */
  name: string;
  /** Topics it receives; empty for a client that only publishes. */
  subscribe: string[];
  publish?: PublishSpec;
}

/** An open-loop publish schedule: message k is due at start + offsetMs + k × periodMs. */
export interface PublishSpec {
  /** Topics it publishes to, in turn. */
  topics: string[];
  periodMs: number;
  offsetMs: number;
  /** Messages due at each tick (the `burst` scenario); 1 otherwise. */
  burstSize: number;
}

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
  /** What message bodies hold (`--body`): `filler` (a time stamp padded with "x") or `chat` (bench/sim/chat-body.ts). */
  body: BodyKind;
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
