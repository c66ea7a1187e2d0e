/**
 * What the lab's routes answer (`/api/lab/*`). The web app imports these
 * types; nothing here touches Node, so the browser bundle can too.
 */
import type { TransportName } from '../protocol/index.ts';
import type { ValidationFailure } from '../results/validate.ts';

/** Bytes as seen on the wire, base64 so that every byte survives JSON. */
export interface WireBytes {
  base64: string;
  /** Bytes that passed, including those not kept. */
  length: number;
  /** Bytes left out of `base64` (the middle of a long stream). */
  omitted: number;
}

/** One HTTP request and the response to it, as the pane's proxy carried them. */
export interface HttpExchangeView {
  /** ms since the epoch when the request's first byte reached the proxy. */
  at: number;
  /** e.g. `GET /api/poll?topics=room:lab&cursor=…` */
  requestLine: string;
  request: WireBytes;
  response: WireBytes;
}

export interface FrameView {
  at: number;
  /** `up` = client → server (masked), `down` = server → client. */
  direction: 'up' | 'down';
  opcode: number;
  fin: boolean;
  headerLength: number;
  maskLength: number;
  payloadLength: number;
  /** The frame's bytes, header first. */
  base64: string;
  /** The payload unmasked, as text. */
  text: string;
}

/**
 * GET /api/lab/wire/:transport, asked with `Authorization: Bearer <the pane's
 * token>`: only that session's exchanges and frames. Tokens, cookie values
 * and lab keys are masked with `*` of the same length, so lengths stay true.
 */
export interface WireSnapshot {
  transport: TransportName;
  /** The newest receive request (poll, long poll, event stream) with an answer begun. */
  receive: HttpExchangeView | null;
  /** The newest publish (POST /api/messages) through this pane's proxy. */
  publish: HttpExchangeView | null;
  /** The newest WebSocket data frames, both ways, oldest first (at most RECENT_FRAMES). */
  frames: FrameView[];
}

/** The HTTP version of the poll, long-poll and SSE panes (the ws pane always upgrades an HTTP/1.1 request). */
export type LabHttpVersion = '1.1' | '2';
export const LAB_HTTP_VERSIONS: readonly LabHttpVersion[] = ['1.1', '2'];

/** The panes' network beyond the delay (POST /api/lab/network/conditions). */
export interface LabConditions {
  /** The named profile last applied (it set the delay, the bandwidth and every condition), or null. */
  profile: string | null;
  /** Spread of the extra delay per chunk and direction, in ms (0 = none). */
  jitterMs: number;
  /** Mean stalls of 200–3,000 ms per minute, per direction of each connection (0 = none). */
  stallsPerMinute: number;
  /** Every pane connection is cut this often, in ms (0 = never). */
  cutEveryMs: number;
  /** A pane connection idle this long goes silent, no FIN, no RST, in ms (0 = never). */
  idleDropMs: number;
  /** Per direction per connection; null = unlimited (only a profile sets it). */
  bandwidthBytesPerSecond: number | null;
  /** Every parameter on one line, e.g. "mobile-3g: 1000 kbps per direction, jitter ±50 ms (normal), …". */
  description: string;
}

/** GET and POST /api/lab/network (and its /conditions and /http) */
export interface NetworkState {
  oneWayDelayMs: number;
  conditions: LabConditions;
  /** What the poll, long-poll and SSE panes speak. */
  httpVersion: LabHttpVersion;
  /** Whether the server listens over TLS (`--tls-port`), which HTTP/2 in a browser needs; if not, how to start it. */
  http2: { available: boolean; hint: string };
  /** The origin each pane loads from: a delay proxy in front of the server (https: in front of its TLS port). */
  panes: Record<TransportName, string>;
}

/** Compression as the server was started with it (read-only: see docs/api.md § The live lab). */
export interface CompressionState {
  /** `--ws-deflate`: WebSocket permessage-deflate offered. */
  wsPerMessageDeflate: boolean;
  /** `--gzip`: poll and long-poll answers and event streams gzipped for clients that accept it. */
  gzip: boolean;
}

/** What the asker may do with the knobs (part of GET /api/lab/settings). */
export interface LabAuthorityView {
  /** True for the instructor: the knobs are theirs to turn. */
  instructor: boolean;
  /** Set when a lab key was presented and it is not this server's. */
  keyRejected?: boolean;
  /** In words, for the page: why the knobs are (not) yours. */
  reason: string;
}

/** GET /api/lab/settings: the server-wide knobs as they are now, for every tab (polled). */
export interface LabSettings {
  network: NetworkState;
  background: BackgroundState;
  compression: CompressionState;
  /** ms since the epoch of the last "cut all pane connections" (or conditions change), or null. */
  lastDropAt: number | null;
  authority: LabAuthorityView;
}

/** GET and POST /api/lab/background */
export interface BackgroundState {
  count: number;
  max: number;
  /** Background clients per transport right now. */
  perTransport: Record<TransportName, number>;
  /** The room they sit in. */
  room: string;
}

/** WebSocket data frames the wire inspector keeps per pane. */
export const RECENT_FRAMES = 6;

/** The room the panes and the background clients share. */
export const LAB_ROOM = 'lab';
/** Largest one-way delay the lab's knob accepts. */
export const MAX_LAB_DELAY_MS = 2000;
/** Most background clients the lab will simulate (a 2-core machine runs it). */
export const MAX_BACKGROUND_CLIENTS = 100;

/** One entry of `GET /api/lab/results`. */
export interface ResultsFileEntry {
  /** Relative to results/, e.g. `2026-11-22T02-30-00Z-quick.json` or `reference/x.json`. */
  file: string;
  bytes: number;
  /** ISO 8601 modification time. */
  modified: string;
  /** True for the file `results/latest.json` points at. */
  latest: boolean;
  status: 'ok' | ValidationFailure;
  /** Why a file is not usable (status ≠ ok). */
  reason?: string;
  runId?: string;
  date?: string;
  incomplete?: boolean;
}

export interface ResultsListing {
  files: ResultsFileEntry[];
}
