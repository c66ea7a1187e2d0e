/**
 * What a lab pane (an iframe on its proxy's origin) tells the lab page, by
 * `postMessage`. Times are `performance.timeOrigin + performance.now()`: one
 * high-resolution clock that the lab page and its iframes share.
 */
import type { ClientState } from '../../../src/client/types.ts';
import type { Gap, Message, TransportName } from '../../../src/protocol/index.ts';

/** `instance` is the pane page's load number: events of a page being replaced are dropped. */
export type PaneEvent = { transport: TransportName; instance: number } & (
  | { kind: 'pane-state'; state: ClientState }
  /** The server accepted the pane's subscription: from here on it misses nothing. */
  | { kind: 'pane-ready' }
  | { kind: 'pane-arrival'; message: Message; at: number }
  | { kind: 'pane-gap'; gap: Gap }
  | { kind: 'pane-error'; text: string }
  /** The pane's session token: the lab page shows the pane's own traffic with it (wire inspector). */
  | { kind: 'pane-token'; token: string }
  /** The answer to a `pane-publish` command. */
  | { kind: 'pane-sent'; id: string; ok: true }
  | { kind: 'pane-sent'; id: string; ok: false; text: string }
);

/** What the lab page asks of a pane: publish this over your own connection (the ws pane's socket). */
export interface PaneCommand {
  kind: 'pane-publish';
  instance: number;
  id: string;
  body: string;
}

export function isPaneCommand(data: unknown): data is PaneCommand {
  if (typeof data !== 'object' || data === null) return false;
  const command = data as Partial<PaneCommand>;
  return command.kind === 'pane-publish' && typeof command.id === 'string' && typeof command.body === 'string'
    && typeof command.instance === 'number';
}

/** Omit applied to each member of a union (plain Omit would merge the members). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a pane page reports; it adds its transport and instance itself. */
export type PaneReport = DistributiveOmit<PaneEvent, 'transport' | 'instance'>;

export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function isPaneEvent(data: unknown): data is PaneEvent {
  if (typeof data !== 'object' || data === null) return false;
  const kind = (data as { kind?: unknown }).kind;
  return kind === 'pane-state' || kind === 'pane-ready' || kind === 'pane-arrival' || kind === 'pane-gap' || kind === 'pane-error'
    || kind === 'pane-token' || kind === 'pane-sent';
}

/** The query a pane's iframe is loaded with (`#/pane?…`). */
export interface PaneQuery {
  transport: TransportName;
  /** The lab page's origin: the only window the pane reports to. */
  parent: string;
  pollIntervalMs: number;
  longPollWaitSeconds: number;
  instance: number;
}
