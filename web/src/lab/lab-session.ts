/**
 * The live lab page's state: the panes' origins and knobs, what was sent and
 * when, what each pane received and when, and the server's counters.
 * Sending uses the page's own sender (lab-sender.ts: no delay, counted under
 * `other`), so a pane's latency is its receive path: server → proxy delay →
 * transport → pane. "Send over the ws pane's socket" asks the ws pane to
 * publish instead, so its frames (mask key and all) show in the inspector.
 *
 * The knobs are server-wide: every tab reads them from /api/lab/settings
 * each second, so a change made in one tab shows in all (issue 13).
 */
import { reactive } from 'vue';
import type { ClientState } from '../../../src/client/types.ts';
import { LabError, TRANSPORT_NAMES, roomTopic } from '../../../src/protocol/index.ts';
import type { StatsSnapshot, TransportName } from '../../../src/protocol/index.ts';
import { LAB_ROOM } from '../../../src/lab/types.ts';
import type { BackgroundState, CompressionState, LabAuthorityView, LabHttpVersion, LabSettings, NetworkState } from '../../../src/lab/types.ts';
import { createSession } from '../../../src/client/http.ts';
import { describeError } from '../errors.ts';
import { getJson, postJson } from '../lab-api.ts';
import { labKeyHeaders, takeLabKey } from './lab-key.ts';
import { LabSender } from './lab-sender.ts';
import { isPaneEvent, now } from './pane-messages.ts';
import type { PaneEvent } from './pane-messages.ts';
import { PanePublishes } from './pane-publishes.ts';
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
  /** The pane's session token (the wire inspector asks for this session's traffic). */
  token: string | null;
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
  for (const name of TRANSPORT_NAMES) initial[name] = { instance: 1, state: 'idle', ready: false, arrivals: [], error: '', gaps: 0, token: null };
  const panes = reactive(initial);
  const state = reactive({
    network: null as NetworkState | null,
    background: null as BackgroundState | null,
    /** How the server was started (read-only in the lab). */
    compression: null as CompressionState | null,
    /** What this page may do with the knobs, and why. */
    authority: null as LabAuthorityView | null,
    /** When the panes' connections were last cut (by anyone). */
    lastDropAt: null as number | null,
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
  const prefix = Math.random().toString(36).slice(2, 8);
  const sender = new LabSender(`lab-${prefix}`);
  const frames: Partial<Record<TransportName, HTMLIFrameElement | null>> = {};
  const paneSends = new PanePublishes();
  let first: StatsSnapshot | null = null;
  let last: StatsSnapshot | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let counter = 0;

  /**
   * Sessions made here for panes on an HTTPS origin (the HTTP/2 panes), by pane
   * instance: over HTTP/2 the server serves the hot paths and the app's files
   * only, so such a pane cannot make its own session and gets one in its address.
   */
  const h2Tokens = reactive<Record<string, string>>({});

  /** A pane whose address changes reloads: it is not listening until its new page says so. */
  function reload(pane: PaneState): void {
    Object.assign(pane, { instance: pane.instance + 1, state: 'connecting', ready: false, error: '', token: null });
  }

  /** Takes the network's state; a pane whose proxy moved (a restarted server, the HTTP version) reloads. */
  function adoptNetwork(network: NetworkState): void {
    const before = state.network;
    for (const name of TRANSPORT_NAMES) if (before && before.panes[name] !== network.panes[name]) reload(panes[name]);
    state.network = network;
    for (const name of TRANSPORT_NAMES) if (network.panes[name].startsWith('https:')) void sessionForH2Pane(name);
  }

  async function sessionForH2Pane(transport: TransportName): Promise<void> {
    const key = `${transport}-${panes[transport].instance}`;
    if (key in h2Tokens) return;
    h2Tokens[key] = '';
    try {
      const name = `pane-${transport}-${Math.random().toString(36).slice(2, 8)}`;
      const session = await createSession({ baseUrl: '', headers: {}, fetch: (input, init) => fetch(input, { ...init, credentials: 'omit' }) }, name);
      h2Tokens[key] = session.token;
    } catch (error) {
      delete h2Tokens[key];
      panes[transport].error = `No session for the HTTP/2 pane: ${describeError(error)}`;
    }
  }

  /** Takes the server-wide knobs as they are now (from any tab), and this page's authority. */
  function adoptSettings(settings: LabSettings): void {
    adoptNetwork(settings.network);
    state.background = settings.background;
    state.compression = settings.compression;
    state.lastDropAt = settings.lastDropAt;
    // A key the server does not take (it restarted with a new one) is kept until a new URL brings
    // another: the server keeps saying why the knobs are read-only.
    state.authority = settings.authority;
  }

  async function refreshSettings(): Promise<void> {
    adoptSettings(await getJson<LabSettings>('/api/lab/settings', labKeyHeaders()));
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
    else if (event.kind === 'pane-token') pane.token = event.token;
    else if (event.kind === 'pane-sent') paneSends.answered(event.id, event.ok ? null : event.text);
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
    takeLabKey();
    try {
      await refreshSettings();
    } catch (error) {
      state.error = describeError(error);
    }
    void refreshStats();
    timer = setInterval(() => void refreshStats(), STATS_INTERVAL_MS);
  }

  async function stop(): Promise<void> {
    window.removeEventListener('message', onPaneEvent);
    clearInterval(timer);
    paneSends.failAll('the lab page closed');
  }

  async function refreshStats(): Promise<void> {
    try {
      const [next, settings] = await Promise.all([
        getJson<StatsSnapshot>('/api/stats'),
        getJson<LabSettings>('/api/lab/settings', labKeyHeaders()),
      ]);
      if (last && (last.bus.epoch !== next.bus.epoch || next.process.uptimeSeconds < last.process.uptimeSeconds)) {
        // The server restarted: its counters began again (its pane proxies are new ones: adoptSettings reloads them).
        first = null;
        last = null;
      }
      adoptSettings(settings);
      first ??= next;
      state.requestsSinceOpen = Object.fromEntries(
        TRANSPORT_NAMES.map((name) => [name, next.transports[name].requests - first!.transports[name].requests]),
      ) as Record<TransportName, number>;
      // Two snapshots close together make no rate (a 25 ms window turns 1 request into 40/s):
      // the older one stays the baseline until the window is long enough.
      const rates = last ? ratesBetween(last, next) : null;
      if (rates) state.rates = rates;
      if (!last || rates) last = next;
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
    const publishes: [string, Promise<unknown>][] = [];
    for (let i = 1; i <= count; i++) {
      const id = `lab-${prefix}-${++counter}`;
      const text = count === 1 ? body : `${body} (${i}/${count})`;
      track({ id, body: text, at: now() });
      publishes.push([id, sender.publish(roomTopic(LAB_ROOM), text, id)]);
    }
    return settle(publishes);
  }

  /**
   * Publishes one message over the `transport` pane's own connection: for the
   * ws pane, a client → server frame with its mask key that the wire
   * inspector shows. Its latency includes the pane's way up through its proxy.
   */
  async function sendFromPane(transport: TransportName, body: string): Promise<boolean> {
    const id = `lab-${prefix}-${++counter}`;
    track({ id, body, at: now() });
    return settle([[id, askPane(transport, id, body)]]);
  }

  function askPane(transport: TransportName, id: string, body: string): Promise<void> {
    const target = frames[transport]?.contentWindow;
    const origin = state.network?.panes[transport];
    if (!target || !origin || !panes[transport].ready) {
      return Promise.reject(new LabError('bad_request', `the ${transport} pane is not connected yet`));
    }
    return paneSends.ask(target, origin, panes[transport].instance, id, body);
  }

  function track(sent: Sent): void {
    state.sent.unshift(sent);
    state.sent.splice(KEEP);
  }

  /** Waits for the publishes; a message the server did not take leaves the race (no empty row). */
  async function settle(publishes: [string, Promise<unknown>][]): Promise<boolean> {
    state.error = '';
    const results = await Promise.allSettled(publishes.map(([, publish]) => publish));
    const failed = new Set(publishes.filter((_, i) => results[i].status === 'rejected').map(([id]) => id));
    if (failed.size === 0) return true;
    state.sent.splice(0, state.sent.length, ...state.sent.filter((item) => !failed.has(item.id)));
    const reason = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')!.reason;
    state.error = `Not sent: ${describeError(reason)}`;
    return false;
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
    await act(async () => adoptNetwork(await postJson<NetworkState>('/api/lab/network', { oneWayDelayMs }, labKeyHeaders())));
  }

  /** A profile and/or raw knobs (POST /api/lab/network/conditions: the fields it names change). */
  async function setConditions(change: Record<string, string | number>): Promise<void> {
    await act(async () => adoptNetwork(await postJson<NetworkState>('/api/lab/network/conditions', change, labKeyHeaders())));
  }

  async function setHttpVersion(version: LabHttpVersion): Promise<void> {
    await act(async () => adoptNetwork(await postJson<NetworkState>('/api/lab/network/http', { version }, labKeyHeaders())));
  }

  async function dropConnections(): Promise<void> {
    await act(async () => {
      adoptNetwork(await postJson<NetworkState>('/api/lab/network/drop', {}, labKeyHeaders()));
      state.lastDropAt = Date.now();
    });
  }

  async function setBackground(count: number): Promise<void> {
    await act(async () => (state.background = await postJson<BackgroundState>('/api/lab/background', { count }, labKeyHeaders())));
  }

  /** Runs a knob change; whatever happened, the page then shows the server's settings again. */
  async function act(action: () => Promise<unknown>): Promise<void> {
    state.error = '';
    try {
      await action();
    } catch (error) {
      state.error = describeError(error);
    }
    await refreshSettings().catch(() => undefined);
  }

  /** LabView hands over each pane's iframe (the ws pane receives publish commands). */
  function registerFrame(transport: TransportName, frame: HTMLIFrameElement | null): void {
    frames[transport] = frame;
  }

  /** The iframe address of a pane: its proxy's origin, its knobs in the query. */
  function paneUrl(transport: TransportName): string | null {
    const origin = state.network?.panes[transport];
    if (!origin) return null;
    // Each pane's address holds only its own knob, so moving one knob reloads one pane.
    const query = new URLSearchParams({ transport, parent: window.location.origin, instance: String(panes[transport].instance) });
    if (origin.startsWith('https:')) {
      // After the `#`: the token never goes to the server in the address.
      const token = h2Tokens[`${transport}-${panes[transport].instance}`];
      if (!token) return null;
      query.set('token', token);
    }
    if (transport === 'poll') query.set('pollIntervalMs', String(state.pollIntervalMs));
    if (transport === 'longpoll') query.set('longPollWaitSeconds', String(state.longPollWaitSeconds));
    // The instance also goes before the `#`: a change in the fragment alone would not reload the page.
    return `${origin}/?pane=${transport}-${panes[transport].instance}#/pane?${query.toString()}`;
  }

  return {
    panes, state, start, stop, send, sendFromPane, registerFrame, setPaneKnobs, setDelay, setConditions, setHttpVersion,
    dropConnections, setBackground, paneUrl,
  };
}

export type LabSession = ReturnType<typeof createLabSession>;
