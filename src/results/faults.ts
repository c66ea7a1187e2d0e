/**
 * The `faults` scenario's figures (issue 11 item 5): the chat workload while
 * the network and the server fail in four ways, per transport. Every figure
 * is counted from what the clients saw and what the proxy carried.
 */
import type { TransportName } from '../protocol/index.ts';

export type FaultKind = 'cut' | 'silent-drop' | 'restart';
export const FAULT_KINDS: readonly FaultKind[] = ['cut', 'silent-drop', 'restart'];

export interface Spread {
  p50: number;
  max: number;
  count: number;
}

/** One injected fault, as every reader of one transport lived through it. */
export interface FaultFigures {
  fault: FaultKind;
  /** Readers whose client noticed (went `reconnecting`); a short poll between requests may never notice a cut. */
  noticed: number;
  /** Fault → `reconnecting`, ms, over the readers that noticed. */
  noticeMs: Spread;
  /** Fault → `connected` again, ms, over the readers that noticed. */
  reconnectMs: Spread;
  /** Readers not connected again when the wait for recovery ended. */
  unrecovered: number;
  /** HTTP requests and WebSocket handshakes through the proxy in the recovery window, beyond the quiet baseline for as long. */
  extraRequests: number;
  /** Bytes both ways through the proxy in the recovery window, beyond the baseline. */
  extraBytes: number;
  /** The recovery window, ms (fault → every reader connected again, plus one settle period). */
  windowMs: number;
}

/** Delivery over the whole run of one transport, summed over its readers. */
export interface DeliveryFigures {
  /** Messages the server acknowledged to the writer. */
  sent: number;
  /** (reader, message) pairs expected: sent × readers. */
  expected: number;
  delivered: number;
  /** Expected, neither delivered nor inside a gap the reader was told of: must be 0. */
  lost: number;
  /** Delivered to the application more than once: must be 0. */
  duplicated: number;
  /** Expected, not delivered, inside a reported gap (history truly gone: the restart). */
  gapped: number;
  /** Publishes the writer gave up on (the server was down); not in `sent`. */
  publishFailures: number;
}

export interface FaultsTransportResult {
  transport: TransportName;
  faults: FaultFigures[];
  delivery: DeliveryFigures;
  /** Stall windows that held bytes during the run (the proxy's count). */
  stalls: number;
  errors: string[];
}

export interface FaultsSettings {
  readers: number;
  /** Messages per second from the writer. */
  publishRatePerSecond: number;
  /** Quiet chat before the first fault and between faults, seconds. */
  phaseSeconds: number;
  /** Longest wait for every reader to recover from one fault, seconds. */
  recoverySeconds: number;
  oneWayDelayMs: number;
  stallsPerMinute: number;
  seed: number;
  /** The heartbeats the clients and the server ran with (short, so that a quick run finishes). */
  heartbeats: {
    requestTimeoutMs: number;
    longPollWaitSeconds: number;
    longPollSlackMs: number;
    sseKeepAliveMs: number;
    sseIdleTimeoutMs: number;
    wsPingIntervalMs: number;
    wsPongTimeoutMs: number;
    /** The server lets a session with no connection go after this (a session whose token was lost on the way frees its name then). */
    sessionIdleMs: number;
  };
}

export interface FaultsResult {
  description: string;
  settings: FaultsSettings;
  /** The proxy's conditions, on one line. */
  network: string;
  transports: FaultsTransportResult[];
}
