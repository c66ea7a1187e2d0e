import { MAX_CURSOR_LENGTH } from './bus/cursor.ts';
import { fileURLToPath } from 'node:url';
import { trustedProxyList } from './server/client-address.ts';

/**
 * Every limit and default of the server in one object (STYLE habit 4).
 * Options are spread over it; `resolveServerOptions` rejects a bad value by name.
 */
export interface ServerOptions {
  host: string;
  /** 0 picks a free port (tests always do). */
  port: number;
  /** HMAC secret for session tokens; a random one when empty. */
  secret: string;
  /** Origins allowed besides the server's own (PROTOCOL.md § Origins). */
  allowedOrigins: string[];
  /** Messages kept per topic. */
  historyPerTopic: number;
  /** Total bytes of message bodies the in-memory history may hold across topics. */
  historyMaxBytes: number;
  /** Largest message body, in UTF-8 bytes. */
  maxBodyBytes: number;
  /** Largest HTTP request body and WebSocket frame (the envelope around a body). */
  maxFrameBytes: number;
  pollLimitDefault: number;
  pollLimitMax: number;
  longPollWaitDefaultSeconds: number;
  longPollWaitMaxSeconds: number;
  sseKeepAliveMs: number;
  wsPingIntervalMs: number;
  /** A WebSocket whose unsent bytes pass this is closed 1013 slow_consumer. */
  wsMaxBufferedBytes: number;
  /** Open sockets across all transports. */
  maxConnections: number;
  /** Long polls and event streams held at once. */
  maxHeldRequests: number;
  /** A session with no open connection and no request for this long is let go, and its name with it. */
  sessionIdleMs: number;
  /** Publishes per second a session may sustain, and the burst it may spend at once. */
  publishRatePerSecond: number;
  publishBurst: number;
  /** Serve the built web app from web/dist when present. */
  serveWeb: boolean;
  /** Log one line per start/stop to stderr. */
  log: boolean;
  /** Topics one WebSocket follows, or one receive request names (issue 8 #2). Its worst-case cursor must fit MAX_CURSOR_LENGTH. */
  maxTopicsPerConnection: number;
  /** Topics followed at once by all of one session's WebSockets, streams and held long polls. */
  maxTopicsPerSession: number;
  /** Held long polls, event streams and WebSockets of one session at once. */
  maxHeldPerSession: number;
  /** An event stream whose unsent bytes would pass this is ended (the client resumes from its last id). */
  sseMaxBufferedBytes: number;
  /** Bytes of messages in one poll / long-poll answer; past it the answer says `more: true`. */
  pollMaxAnswerBytes: number;
  /** Bytes of poll / long-poll answers written but not yet taken by slow clients, in total; past it the oldest are cut. */
  maxUnflushedAnswerBytes: number;
  /** Open sockets from one remote address (loopback included). */
  maxSocketsPerAddress: number;
  /** Held long polls and event streams from one remote address. */
  maxHeldPerAddress: number;
  /** Sockets of one remote address whose request head has not fully arrived. */
  maxUnfinishedRequestsPerAddress: number;
  /**
   * Behind a reverse proxy (issue 10): take the client's address from
   * X-Forwarded-For / X-Real-IP, but only on requests whose socket comes from one
   * of `trustedProxies` (src/server/client-address.ts). Off by default: a node
   * reached directly must not believe a header any client can write.
   */
  trustProxy: boolean;
  /** Who may forward an address when `trustProxy` is on: `loopback`, addresses, CIDR ranges. */
  trustedProxies: string[];
  /** A request head must arrive within this (node's headersTimeout; 408 and close after). */
  headersTimeoutMs: number;
  /**
   * Topics the in-memory bus holds at once. Past it, a new topic evicts the least
   * recently used idle one (no subscriber here); a publish that needs a new topic
   * when every topic is subscribed gets 503 `unavailable`.
   */
  maxTopics: number;
  /** New sessions (names) one client address may create per second, and the burst it may spend at once. */
  sessionCreateRatePerSecondPerAddress: number;
  sessionCreateBurstPerAddress: number;
  /** Publishes per second all sessions of one client address may sustain together, and their burst. */
  publishRatePerSecondPerAddress: number;
  publishBurstPerAddress: number;
  /** The folder of the built web app, served when `serveWeb` is on and it holds files. */
  webDist: string;
  /** `redis://host:port[/db]`: run the bus and the shared state on Redis (several nodes, issue 10); empty: in memory. */
  redisUrl: string;
  /** Prepended to every Redis key and channel, so that several labs (or tests) share one Redis. */
  redisPrefix: string;
  /** A Redis command that takes longer fails (publish: 503 unavailable) instead of hanging on a paused Redis. */
  redisCommandTimeoutMs: number;
  /** How this node names itself in /api/stats; empty: `<hostname>:<port>`. */
  nodeName: string;
  /**
   * Also listen over TLS on this port, with ALPN offering h2 and http/1.1 (issue 11):
   * poll, long poll and SSE over HTTP/2. -1: off; 0 picks a free port.
   */
  tlsPort: number;
  /** PEM certificate and key for the TLS port; both empty: a self-signed one made at start. */
  tlsCert: string;
  tlsKey: string;
  /** Also listen for cleartext HTTP/2 with prior knowledge (h2c), for the bench. -1: off; 0 picks a free port. */
  h2cPort: number;
  /** Streams one HTTP/2 session may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); past it a new one is refused. */
  http2MaxConcurrentStreams: number;
  /**
   * Offer WebSocket permessage-deflate (RFC 7692, issue 11 #6). Off by default: each
   * compressing socket keeps its own zlib contexts (a deflate window and an inflate
   * window, some 100–300 KB together once used), a known cost at scale.
   */
  wsPerMessageDeflate: boolean;
  /** Compress poll / long-poll answers and event streams with gzip when the request's Accept-Encoding allows it. */
  httpCompression: 'none' | 'gzip';
  /** A WebSocket message or a poll / long-poll answer under this many bytes is sent uncompressed (compressing it would cost more than it saves). */
  compressionThresholdBytes: number;
  /** zlib level for both (1 fastest … 9 smallest): 3 keeps most of the gain on JSON for a fraction of level 6's CPU. */
  compressionLevel: number;
  /** Compressions one process runs on libuv's thread pool at once for permessage-deflate (ws's concurrencyLimit). */
  wsDeflateConcurrencyLimit: number;
}

export const DEFAULT_SERVER_OPTIONS: Readonly<ServerOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 3000,
  secret: '',
  allowedOrigins: [],
  historyPerTopic: 1000,
  historyMaxBytes: 64 * 1024 * 1024,
  maxBodyBytes: 16 * 1024,
  maxFrameBytes: 20 * 1024,
  pollLimitDefault: 100,
  pollLimitMax: 1000,
  longPollWaitDefaultSeconds: 25,
  longPollWaitMaxSeconds: 60,
  sseKeepAliveMs: 15_000,
  wsPingIntervalMs: 30_000,
  wsMaxBufferedBytes: 1024 * 1024,
  maxConnections: 19_000,
  maxHeldRequests: 15_000,
  sessionIdleMs: 90_000,
  publishRatePerSecond: 20,
  publishBurst: 40,
  serveWeb: true,
  log: false,
  maxTopicsPerConnection: 32,
  maxTopicsPerSession: 128,
  maxHeldPerSession: 16,
  sseMaxBufferedBytes: 1024 * 1024,
  pollMaxAnswerBytes: 1024 * 1024,
  maxUnflushedAnswerBytes: 64 * 1024 * 1024,
  maxSocketsPerAddress: 1_000,
  maxHeldPerAddress: 500,
  maxUnfinishedRequestsPerAddress: 200,
  trustProxy: false,
  trustedProxies: ['loopback'],
  headersTimeoutMs: 10_000,
  maxTopics: 10_000,
  // A class of 30 behind one NAT address: 30 people with a few tabs each join at
  // once within the burst; the lab's 100 background clients come from loopback.
  sessionCreateRatePerSecondPerAddress: 2,
  sessionCreateBurstPerAddress: 200,
  // Five sessions' worth at full speed: far above what 30 people type.
  publishRatePerSecondPerAddress: 100,
  publishBurstPerAddress: 200,
  webDist: fileURLToPath(new URL('../web/dist', import.meta.url)),
  redisUrl: '',
  redisPrefix: 'lab:',
  redisCommandTimeoutMs: 2_000,
  nodeName: '',
  tlsPort: -1,
  tlsCert: '',
  tlsKey: '',
  h2cPort: -1,
  // RFC 9113 § 6.5.2 advises no less than 100: a browser tab's streams fit, one client cannot open thousands.
  http2MaxConcurrentStreams: 100,
  wsPerMessageDeflate: false,
  httpCompression: 'none',
  compressionThresholdBytes: 256,
  compressionLevel: 3,
  wsDeflateConcurrencyLimit: 10,
});

/** Limits lifted for the bench: it measures transports, not our rate limiter. */
export const BENCH_LIMITS: Partial<ServerOptions> = {
  publishRatePerSecond: 1_000_000,
  publishBurst: 1_000_000,
  maxConnections: 100_000,
  maxHeldRequests: 100_000,
  wsMaxBufferedBytes: 64 * 1024 * 1024,
  // The bench's simulated clients all come from one address and a few sessions.
  maxHeldPerSession: 100_000,
  maxTopicsPerSession: 1_000_000,
  sseMaxBufferedBytes: 64 * 1024 * 1024,
  maxSocketsPerAddress: 100_000,
  maxHeldPerAddress: 100_000,
  maxUnfinishedRequestsPerAddress: 100_000,
  sessionCreateRatePerSecondPerAddress: 1_000_000,
  sessionCreateBurstPerAddress: 1_000_000,
  publishRatePerSecondPerAddress: 1_000_000,
  publishBurstPerAddress: 1_000_000,
  // The direct scenario gives every client an inbox: thousands of subscribed topics.
  maxTopics: 1_000_000,
  // A bench client may multiplex many simulated clients on one HTTP/2 session.
  http2MaxConcurrentStreams: 100_000,
};

const POSITIVE_INTEGERS: (keyof ServerOptions)[] = [
  'historyPerTopic', 'historyMaxBytes', 'maxBodyBytes', 'maxFrameBytes', 'pollLimitDefault',
  'pollLimitMax', 'longPollWaitMaxSeconds', 'sseKeepAliveMs', 'wsPingIntervalMs',
  'wsMaxBufferedBytes', 'sessionIdleMs', 'maxConnections', 'maxHeldRequests', 'publishRatePerSecond', 'publishBurst',
  'maxTopicsPerConnection', 'maxTopicsPerSession', 'maxHeldPerSession', 'sseMaxBufferedBytes', 'pollMaxAnswerBytes',
  'maxUnflushedAnswerBytes', 'maxSocketsPerAddress', 'maxHeldPerAddress', 'maxUnfinishedRequestsPerAddress',
  'headersTimeoutMs',
  'maxTopics', 'sessionCreateRatePerSecondPerAddress', 'sessionCreateBurstPerAddress',
  'publishRatePerSecondPerAddress', 'publishBurstPerAddress', 'http2MaxConcurrentStreams',
  'compressionThresholdBytes', 'wsDeflateConcurrencyLimit',
];

/**
 * The longest cursor a connection can need: `v1~<epoch ≤ 32>` plus, per topic,
 * `~<topic ≤ 69>=<seq ≤ 16 digits>` (src/bus/cursor.ts, src/protocol/names.ts).
 */
export function worstCursorLength(topics: number): number {
  return 3 + 32 + topics * (1 + 69 + 1 + 16);
}

export function resolveServerOptions(overrides: Partial<ServerOptions> = {}): ServerOptions {
  const options: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...overrides };
  for (const key of POSITIVE_INTEGERS) {
    const value = options[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new Error(`option ${key} must be a positive number, got ${String(value)}`);
    }
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error(`option port must be an integer 0-65535, got ${String(options.port)}`);
  }
  if (options.longPollWaitDefaultSeconds < 0 || options.longPollWaitDefaultSeconds > options.longPollWaitMaxSeconds) {
    throw new Error('option longPollWaitDefaultSeconds must be between 0 and longPollWaitMaxSeconds');
  }
  if (!Number.isInteger(options.maxTopics)) {
    throw new Error(`option maxTopics must be an integer, got ${String(options.maxTopics)}`);
  }
  if (typeof options.webDist !== 'string' || options.webDist === '') {
    throw new Error('option webDist must be a folder path');
  }
  if (options.maxFrameBytes < options.maxBodyBytes) {
    throw new Error('option maxFrameBytes must be at least maxBodyBytes');
  }
  if (worstCursorLength(options.maxTopicsPerConnection) > MAX_CURSOR_LENGTH) {
    // A socket's cursor covers all its topics: it must stay a cursor the server accepts back.
    throw new Error(`option maxTopicsPerConnection must be at most ${Math.floor((MAX_CURSOR_LENGTH - 35) / 87)} (a cursor over them must fit ${MAX_CURSOR_LENGTH} characters)`);
  }
  if (options.maxTopicsPerSession < options.maxTopicsPerConnection) {
    throw new Error('option maxTopicsPerSession must be at least maxTopicsPerConnection');
  }
  if (options.pollMaxAnswerBytes > options.maxUnflushedAnswerBytes) {
    throw new Error('option pollMaxAnswerBytes must be at most maxUnflushedAnswerBytes');
  }
  if (typeof options.trustProxy !== 'boolean') throw new Error(`option trustProxy must be true or false, got ${String(options.trustProxy)}`);
  if (!Array.isArray(options.trustedProxies)) throw new Error('option trustedProxies must be a list of addresses');
  trustedProxyList(options.trustedProxies);
  checkRedisOptions(options);
  checkHttp2Options(options);
  checkCompressionOptions(options);
  return options;
}

function checkCompressionOptions(options: ServerOptions): void {
  if (typeof options.wsPerMessageDeflate !== 'boolean') {
    throw new Error(`option wsPerMessageDeflate must be true or false, got ${String(options.wsPerMessageDeflate)}`);
  }
  if (options.httpCompression !== 'none' && options.httpCompression !== 'gzip') {
    throw new Error(`option httpCompression must be "none" or "gzip", got ${String(options.httpCompression)}`);
  }
  if (!Number.isInteger(options.compressionLevel) || options.compressionLevel < 1 || options.compressionLevel > 9) {
    throw new Error(`option compressionLevel must be an integer 1-9, got ${String(options.compressionLevel)}`);
  }
}

function checkHttp2Options(options: ServerOptions): void {
  for (const key of ['tlsPort', 'h2cPort'] as const) {
    const port = options[key];
    if (!Number.isInteger(port) || port < -1 || port > 65535) {
      throw new Error(`option ${key} must be -1 (off) or an integer 0-65535, got ${String(port)}`);
    }
  }
  if (typeof options.tlsCert !== 'string' || typeof options.tlsKey !== 'string' || (options.tlsCert === '') !== (options.tlsKey === '')) {
    throw new Error('options tlsCert and tlsKey go together: both PEM texts, or both empty for a self-signed certificate');
  }
}

function checkRedisOptions(options: ServerOptions): void {
  if (typeof options.redisUrl !== 'string' || (options.redisUrl !== '' && !/^rediss?:\/\/./.test(options.redisUrl))) {
    throw new Error(`option redisUrl must be redis://host:port (or empty for the in-memory bus), got "${String(options.redisUrl)}"`);
  }
  if (typeof options.redisPrefix !== 'string' || /[{}]/.test(options.redisPrefix)) {
    // Braces would change the Cluster hash slot of every topic's keys.
    throw new Error('option redisPrefix must be a string without { or }');
  }
  if (!Number.isFinite(options.redisCommandTimeoutMs) || options.redisCommandTimeoutMs <= 0) {
    throw new Error(`option redisCommandTimeoutMs must be a positive number, got ${String(options.redisCommandTimeoutMs)}`);
  }
  if (typeof options.nodeName !== 'string' || options.nodeName.length > 100) {
    throw new Error('option nodeName must be a string of at most 100 characters');
  }
}
