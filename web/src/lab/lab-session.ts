/**
 * The live lab page's state: the panes' origins and knobs, what was sent and
 * when, what each pane received and when, and the server's counters.
 * Sending uses a client on the page's own origin (no delay), so a pane's
 * latency is its receive path: server → proxy delay → transport → pane.
 */
import { reactive, shallowRef } from 'vue';
import { createClient } from '../../../src/client/index.ts';
import type { Client, ClientState } from '../../../src/client/types.ts';
import { TRANSPORT_NAMES, roomTopic } from '../../../src/protocol/index.ts';
import type { StatsSnapshot, TransportName } from '../../../src/protocol/index.ts';
import { LAB_ROOM } from '../../../src/lab/types.ts';
import type { BackgroundState, NetworkState } from '../../../src/lab/types.ts';
import { describeError } from '../errors.ts';
import { getJson, postJson } from '../lab-api.ts';
import { isPaneEvent, now } from './pane-messages.ts';
import type { PaneEvent } from './pane-messages.ts';
import { ratesBetween } from './stats-rates.ts';
import type { TransportRates } from './stats-rates.ts';

export interface Arrival {
  id: string;
  body: string;
  seq: number;
  /** ms from pressing send to the pane's client handing the message over. */
  latencyMs: number | null;
}

export interface PaneState {
  /** Load number of the pane's page; bumped when its address changes. */
  instance: number;
  state: ClientState;
  /** Subscribed: a message sent from now on reaches this pane. */
  ready: boolean;
  arrivals: Arrival[];
  error: string;
  gaps: number;
}

export interface Sent {
  id: string;
  body: string;
  at: number;
}

/** Arrivals kept per pane and sends kept for the timeline. */
const KEEP = 30;
const STATS_INTERVAL_MS = 1000;

export function createLabSession() {
  const initial = {} as Record<TransportName, PaneState>;
  for (const name of TRANSPORT_NAMES) initial[name] = { instance: 1, state: 'idle', ready: false, arrivals: [], error: '', gaps: 0 };
  const panes = reactive(initial);
  const state = reactive({
    network: null as NetworkState | null,
    background: null as BackgroundState | null,
    pollIntervalMs: 1000,
    longPollWaitSeconds: 25,
    error: '',
    /** Set while /api/stats does not answer (the server went away); cleared when it does. */
    countersError: '',
    sent: [] as Sent[],
    rates: null as Record<TransportName, TransportRates> | null,
    /** Requests per transport since the lab opened (server counts). */
    requestsSinceOpen: null as Record<TransportName, number> | null,
  });
  const sender = shallowRef<Client | null>(null);
  let first: StatsSnapshot | null = null;
  let last: StatsSnapshot | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let counter = 0;
  const prefix = Math.random().toString(36).slice(2, 8);

  /** A pane whose address changes reloads: it is not listening until its new page says so. */
  function reload(pane: PaneState): void {
    Object.assign(pane, { instance: pane.instance + 1, state: 'connecting', ready: false, error: '' });
  }

  /** Takes the network's state; a pane whose proxy moved (a restarted server) reloads. */
  function adoptNetwork(network: NetworkState): void {
    const before = state.network;
    for (const name of TRANSPORT_NAMES) if (before && before.panes[name] !== network.panes[name]) reload(panes[name]);
    state.network = network;
  }

  function onPaneEvent(event: MessageEvent): void {
    const origins = Object.values(state.network?.panes ?? {});
    if (!origins.includes(event.origin) || !isPaneEvent(event.data)) return;
    apply(event.data);
  }

  function apply(event: PaneEvent): void {
    const pane = panes[event.transport];
    if (!pane || event.instance !== pane.instance) return;
    if (event.kind === 'pane-state') pane.state = event.state;
    else if (event.kind === 'pane-ready') pane.ready = true;
    else if (event.kind === 'pane-error') pane.error = event.text;
    else if (event.kind === 'pane-gap') pane.gaps++;
    else {
      const sent = state.sent.find((item) => item.id === event.message.id);
      pane.error = '';
      pane.arrivals.unshift({
        id: event.message.id,
        body: event.message.body,
        seq: event.message.seq,
        latencyMs: sent ? Math.max(0, event.at - sent.at) : null,
      });
      pane.arrivals.splice(KEEP);
    }
  }

  async function start(): Promise<void> {
    window.addEventListener('message', onPaneEvent);
    try {
      adoptNetwork(await getJson<NetworkState>('/api/lab/network'));
      state.background = await getJson<BackgroundState>('/api/lab/background');
    } catch (error) {
      state.error = describeError(error);
    }
    void refreshStats();
    timer = setInterval(() => void refreshStats(), STATS_INTERVAL_MS);
  }

  async function stop(): Promise<void> {
    window.removeEventListener('message', onPaneEvent);
    clearInterval(timer);
    await sender.value?.close().catch(() => undefined);
    sender.value = null;
  }

  async function refreshStats(): Promise<void> {
    try {
      const next = await getJson<StatsSnapshot>('/api/stats');
      if (last && (last.bus.epoch !== next.bus.epoch || next.process.uptimeSeconds < last.process.uptimeSeconds)) {
        // The server restarted: its counters began again, and its pane proxies are new ones.
        first = null;
        last = null;
        adoptNetwork(await getJson<NetworkState>('/api/lab/network'));
        state.background = await getJson<BackgroundState>('/api/lab/background');
      }
      first ??= next;
      if (last) state.rates = ratesBetween(last, next);
      state.requestsSinceOpen = Object.fromEntries(
        TRANSPORT_NAMES.map((name) => [name, next.transports[name].requests - first!.transports[name].requests]),
      ) as Record<TransportName, number>;
      last = next;
      state.countersError = '';
    } catch (error) {
      state.countersError = `The server is not answering (${describeError(error)}): the panes keep retrying.`;
    }
  }

  /**
   * Publishes `count` messages at once (a burst of 3 shows long polling's
   * extra round trips: RFC 6202 § 2.2, worst case over 3 network transits).
   */
  async function send(body: string, count = 1): Promise<boolean> {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
    state.error = '';
    try {
      if (!sender.value) {
        const client = createClient('poll', { baseUrl: '', name: `lab-${prefix}` });
        await client.connect();
        sender.value = client;
      }
      const client = sender.value;
      const publishes: Promise<unknown>[] = [];
      for (let i = 1; i <= count; i++) {
        const id = `lab-${prefix}-${++counter}`;
        const text = count === 1 ? body : `${body} (${i}/${count})`;
        state.sent.unshift({ id, body: text, at: now() });
        publishes.push(client.publish(roomTopic(LAB_ROOM), text, id));
      }
      state.sent.splice(KEEP);
      await Promise.all(publishes);
      return true;
    } catch (error) {
      state.error = describeError(error);
      return false;
    }
  }

  /** Poll interval 100 ms–10 s and long-poll wait 1–60 s (the server's maximum); the pane reloads. */
  function setPaneKnobs(pollIntervalMs: number, longPollWaitSeconds: number): void {
    const clamp = (value: number, min: number, max: number, fallback: number): number =>
      Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
    const poll = clamp(pollIntervalMs, 100, 10_000, state.pollIntervalMs);
    const wait = clamp(longPollWaitSeconds, 1, 60, state.longPollWaitSeconds);
    if (poll !== state.pollIntervalMs) reload(panes.poll);
    if (wait !== state.longPollWaitSeconds) reload(panes.longpoll);
    state.pollIntervalMs = poll;
    state.longPollWaitSeconds = wait;
  }

  async function setDelay(oneWayDelayMs: number): Promise<void> {
    await act(async () => adoptNetwork(await postJson<NetworkState>('/api/lab/network', { oneWayDelayMs })));
  }

  async function dropConnections(): Promise<void> {
    await act(async () => adoptNetwork(await postJson<NetworkState>('/api/lab/network/drop', {})));
  }

  async function setBackground(count: number): Promise<void> {
    await act(async () => (state.background = await postJson<BackgroundState>('/api/lab/background', { count })));
  }

  async function act(action: () => Promise<unknown>): Promise<void> {
    state.error = '';
    try {
      await action();
    } catch (error) {
      state.error = describeError(error);
    }
  }

  /** The iframe address of a pane: its proxy's origin, its knobs in the query. */
  function paneUrl(transport: TransportName): string | null {
    const origin = state.network?.panes[transport];
    if (!origin) return null;
    // Each pane's address holds only its own knob, so moving one knob reloads one pane.
    const query = new URLSearchParams({ transport, parent: window.location.origin, instance: String(panes[transport].instance) });
    if (transport === 'poll') query.set('pollIntervalMs', String(state.pollIntervalMs));
    if (transport === 'longpoll') query.set('longPollWaitSeconds', String(state.longPollWaitSeconds));
    // The instance also goes before the `#`: a change in the fragment alone would not reload the page.
    return `${origin}/?pane=${transport}-${panes[transport].instance}#/pane?${query.toString()}`;
  }

  return { panes, state, start, stop, send, setPaneKnobs, setDelay, dropConnections, setBackground, paneUrl };
}

export type LabSession = ReturnType<typeof createLabSession>;
