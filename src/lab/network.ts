/**
 * The live lab's network: one delay proxy per pane, in front of the server,
 * so that a delay knob puts real delay on each pane's bytes and each proxy's
 * tap belongs to exactly one transport (the wire inspector).
 *
 * Each pane is an iframe loaded *through* its proxy: its page, its session
 * and its requests all share the proxy's origin, so no request is cross-origin
 * and no CORS is needed. The proxy passes the Host header through, so the
 * server sees Origin = `http://<Host>`: its own origin, accepted as such
 * (src/server/auth.ts `originAllowed`).
 *
 * The proxies listen where the server listens (`--host 0.0.0.0` → every
 * interface, so students' laptops reach them), and a pane's address is built
 * from the host name the browser used to reach the lab page: a student who
 * opened `http://192.168.1.20:3000` gets panes on `http://192.168.1.20:<port>`.
 *
 * Beyond the delay (issue 11): the network conditions (conditions-knob.ts) go
 * on every proxy, and every pane connection is then cut so that the long-lived
 * ones (a stream, a socket) come back under them. With the HTTP version knob
 * at 2, the poll, long-poll and SSE panes load through a second proxy each, in
 * front of the server's TLS port (`--tls-port`): a browser speaks HTTP/2 only
 * over TLS, by ALPN. The ws pane stays on HTTP/1.1 (a WebSocket is an upgraded
 * HTTP/1.1 request; RFC 8441's WebSockets over HTTP/2 is not served here).
 */
import { startDelayProxy } from '../net/delay-proxy.ts';
import type { DelayProxy } from '../net/delay-proxy.ts';
import { LabError, TRANSPORT_NAMES } from '../protocol/index.ts';
import type { TransportName } from '../protocol/index.ts';
import { NO_CONDITIONS, applyConditionsRequest, conditionsView } from './conditions-knob.ts';
import type { PaneConditions } from './conditions-knob.ts';
import type { LabHttpVersion, NetworkState, WireSnapshot } from './types.ts';
import { LAB_HTTP_VERSIONS, MAX_LAB_DELAY_MS } from './types.ts';
import { WireTap } from './wire-tap.ts';

interface Pane {
  proxy: DelayProxy;
  tap: WireTap;
  /** In front of the server's TLS port (poll, long poll, SSE, when the server has one). */
  tlsProxy?: DelayProxy;
}

/** The panes that can speak HTTP/2 (not ws: see the file's comment). */
const HTTP2_PANES: readonly TransportName[] = TRANSPORT_NAMES.filter((name) => name !== 'ws');
const NO_TLS_HINT = 'The server has no TLS port, and browsers speak HTTP/2 only over TLS: start it with npm start -- --tls-port 3443.';
const TLS_HINT = 'Over the server\'s TLS port, with a self-signed certificate unless it was started with --tls-cert/--tls-key: open a pane\'s https address once and accept it, or the pane cannot load.';

export class LabNetwork {
  private panes: Promise<Record<TransportName, Pane>> | null = null;
  private delayMs = 0;
  private conditions: PaneConditions = NO_CONDITIONS;
  private httpVersion: LabHttpVersion = '1.1';
  private closed = false;
  /** When the panes' connections were last cut (every tab shows it). */
  lastDropAt: number | null = null;

  /**
   * `target`: the server (a loopback address when it listens on every interface);
   * `listenHost`: where the proxies listen — where the server listens;
   * `tlsPort`: the server's TLS port (h2 and http/1.1 by ALPN), if it has one.
   */
  constructor(
    private readonly target: { host: string; port: number; tlsPort?: number },
    private readonly listenHost: string,
  ) {}

  /** Starts the proxies on first use; `hostname` is the host the asker reached the server by. */
  async state(hostname: string): Promise<NetworkState> {
    const panes = await this.start();
    const urls = {} as Record<TransportName, string>;
    const host = hostname.includes(':') ? `[${hostname}]` : hostname;
    for (const name of TRANSPORT_NAMES) {
      const tlsProxy = this.httpVersion === '2' ? panes[name].tlsProxy : undefined;
      urls[name] = tlsProxy ? `https://${host}:${tlsProxy.port}` : `http://${host}:${panes[name].proxy.port}`;
    }
    const available = this.target.tlsPort !== undefined;
    return {
      oneWayDelayMs: this.delayMs,
      conditions: conditionsView(this.conditions),
      httpVersion: this.httpVersion,
      http2: { available, hint: available ? TLS_HINT : NO_TLS_HINT },
      panes: urls,
    };
  }

  /**
   * Applies a conditions request (conditions-knob.ts) to every proxy, then cuts
   * every pane connection so that each comes back under the new conditions.
   */
  async setConditions(body: unknown): Promise<void> {
    const { next, oneWayDelayMs } = applyConditionsRequest(body, this.conditions);
    const proxies = this.proxiesOf(await this.start());
    if (oneWayDelayMs !== undefined) await this.setDelay(oneWayDelayMs);
    const settings = { ...next.conditions, bandwidthBytesPerSecond: next.bandwidthBytesPerSecond };
    for (const proxy of proxies) proxy.setConditions(settings);
    this.conditions = next;
    await this.dropAll();
  }

  /** `2`: the poll, long-poll and SSE panes load over the TLS port (they reload: their origin changes). */
  async setHttpVersion(version: unknown): Promise<void> {
    if (!LAB_HTTP_VERSIONS.includes(version as LabHttpVersion)) {
      throw new LabError('bad_request', `version must be ${LAB_HTTP_VERSIONS.map((v) => `"${v}"`).join(' or ')}`);
    }
    if (version === '2' && this.target.tlsPort === undefined) throw new LabError('bad_request', NO_TLS_HINT);
    await this.start();
    this.httpVersion = version as LabHttpVersion;
  }

  async setDelay(oneWayDelayMs: number): Promise<void> {
    if (!Number.isFinite(oneWayDelayMs) || oneWayDelayMs < 0 || oneWayDelayMs > MAX_LAB_DELAY_MS) {
      throw new LabError('bad_request', `oneWayDelayMs must be from 0 to ${MAX_LAB_DELAY_MS}`);
    }
    const panes = await this.start();
    this.delayMs = oneWayDelayMs;
    for (const proxy of this.proxiesOf(panes)) proxy.setDelay(oneWayDelayMs);
  }

  /** Cuts every pane's connections at once: "the server went away" for the clients. */
  async dropAll(): Promise<void> {
    const panes = await this.start();
    for (const proxy of this.proxiesOf(panes)) proxy.dropAll();
    this.lastDropAt = Date.now();
  }

  /** What the session `token` moved through `transport`'s proxy. */
  async wire(transport: TransportName, token: string): Promise<WireSnapshot> {
    const panes = await this.start();
    return panes[transport].tap.snapshot(token);
  }

  async close(): Promise<void> {
    this.closed = true;
    const panes = await this.panes?.catch(() => null);
    if (panes) await Promise.all(this.proxiesOf(panes).map((proxy) => proxy.close()));
  }

  private proxiesOf(panes: Record<TransportName, Pane>): DelayProxy[] {
    return TRANSPORT_NAMES.flatMap((name) => [panes[name].proxy, ...(panes[name].tlsProxy ? [panes[name].tlsProxy] : [])]);
  }

  private start(): Promise<Record<TransportName, Pane>> {
    if (this.closed) return Promise.reject(new LabError('shutting_down', 'the lab is closing'));
    this.panes ??= this.startProxies();
    return this.panes;
  }

  private async startProxies(): Promise<Record<TransportName, Pane>> {
    const panes = {} as Record<TransportName, Pane>;
    const { tlsPort } = this.target;
    for (const name of TRANSPORT_NAMES) {
      const tap = new WireTap(name);
      const proxy = await startDelayProxy({
        targetHost: this.target.host,
        targetPort: this.target.port,
        oneWayDelayMs: this.delayMs,
        host: this.listenHost,
        onChunk: tap.onChunk,
      });
      // No tap: what crosses it is TLS records, which the inspector cannot read.
      const tlsProxy = tlsPort !== undefined && HTTP2_PANES.includes(name)
        ? await startDelayProxy({ targetHost: this.target.host, targetPort: tlsPort, oneWayDelayMs: this.delayMs, host: this.listenHost })
        : undefined;
      panes[name] = { proxy, tap, ...(tlsProxy ? { tlsProxy } : {}) };
    }
    return panes;
  }
}
