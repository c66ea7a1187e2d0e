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
 */
import { startDelayProxy } from '../net/delay-proxy.ts';
import type { DelayProxy } from '../net/delay-proxy.ts';
import { LabError, TRANSPORT_NAMES } from '../protocol/index.ts';
import type { TransportName } from '../protocol/index.ts';
import type { NetworkState, WireSnapshot } from './types.ts';
import { MAX_LAB_DELAY_MS } from './types.ts';
import { WireTap } from './wire-tap.ts';

interface Pane {
  proxy: DelayProxy;
  tap: WireTap;
}

export class LabNetwork {
  private panes: Promise<Record<TransportName, Pane>> | null = null;
  private delayMs = 0;
  private closed = false;
  /** When the panes' connections were last cut (every tab shows it). */
  lastDropAt: number | null = null;

  /**
   * `target`: the server (a loopback address when it listens on every interface);
   * `listenHost`: where the proxies listen — where the server listens.
   */
  constructor(private readonly target: { host: string; port: number }, private readonly listenHost: string) {}

  /** Starts the proxies on first use; `hostname` is the host the asker reached the server by. */
  async state(hostname: string): Promise<NetworkState> {
    const panes = await this.start();
    const urls = {} as Record<TransportName, string>;
    const host = hostname.includes(':') ? `[${hostname}]` : hostname;
    for (const name of TRANSPORT_NAMES) urls[name] = `http://${host}:${panes[name].proxy.port}`;
    return { oneWayDelayMs: this.delayMs, panes: urls };
  }

  async setDelay(oneWayDelayMs: number): Promise<void> {
    if (!Number.isFinite(oneWayDelayMs) || oneWayDelayMs < 0 || oneWayDelayMs > MAX_LAB_DELAY_MS) {
      throw new LabError('bad_request', `oneWayDelayMs must be from 0 to ${MAX_LAB_DELAY_MS}`);
    }
    const panes = await this.start();
    this.delayMs = oneWayDelayMs;
    for (const name of TRANSPORT_NAMES) panes[name].proxy.setDelay(oneWayDelayMs);
  }

  /** Cuts every pane's connections at once: "the server went away" for the clients. */
  async dropAll(): Promise<void> {
    const panes = await this.start();
    for (const name of TRANSPORT_NAMES) panes[name].proxy.dropAll();
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
    if (panes) await Promise.all(TRANSPORT_NAMES.map((name) => panes[name].proxy.close()));
  }

  private start(): Promise<Record<TransportName, Pane>> {
    if (this.closed) return Promise.reject(new LabError('shutting_down', 'the lab is closing'));
    this.panes ??= this.startProxies();
    return this.panes;
  }

  private async startProxies(): Promise<Record<TransportName, Pane>> {
    const panes = {} as Record<TransportName, Pane>;
    for (const name of TRANSPORT_NAMES) {
      const tap = new WireTap(name);
      const proxy = await startDelayProxy({
        targetHost: this.target.host,
        targetPort: this.target.port,
        oneWayDelayMs: this.delayMs,
        host: this.listenHost,
        onChunk: tap.onChunk,
      });
      panes[name] = { proxy, tap };
    }
    return panes;
  }
}
