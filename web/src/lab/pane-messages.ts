/**
 * What a lab pane (an iframe on its proxy's origin) tells the lab page, by
 * `postMessage`. Times are `performance.timeOrigin + performance.now()`: one
 * high-resolution clock that the lab page and its iframes share.
 */
import type { ClientState } from '../../../src/client/types.ts';
import type { Gap, Message, TransportName } from '../../../src/protocol/index.ts';

export type PaneEvent =
  | { kind: 'pane-state'; transport: TransportName; state: ClientState }
  /** The server accepted the pane's subscription: from here on it misses nothing. */
  | { kind: 'pane-ready'; transport: TransportName }
  | { kind: 'pane-arrival'; transport: TransportName; message: Message; at: number }
  | { kind: 'pane-gap'; transport: TransportName; gap: Gap }
  | { kind: 'pane-error'; transport: TransportName; text: string };

export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function isPaneEvent(data: unknown): data is PaneEvent {
  if (typeof data !== 'object' || data === null) return false;
  const kind = (data as { kind?: unknown }).kind;
  return kind === 'pane-state' || kind === 'pane-ready' || kind === 'pane-arrival' || kind === 'pane-gap' || kind === 'pane-error';
}

/** The query a pane's iframe is loaded with (`#/pane?…`). */
export interface PaneQuery {
  transport: TransportName;
  /** The lab page's origin: the only window the pane reports to. */
  parent: string;
  pollIntervalMs: number;
  longPollWaitSeconds: number;
}
