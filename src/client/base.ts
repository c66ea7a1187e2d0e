import { LabError } from '../protocol/index.ts';
import type { Gap, Message, PublishResult, TransportName } from '../protocol/index.ts';
import { Backoff, sleep } from './backoff.ts';
import { TypedEmitter } from './emitter.ts';
import { NetworkError, createSession, publishOverHttp } from './http.ts';
import { TopicPositions } from './ledger.ts';
import { DEFAULT_CLIENT_OPTIONS, HEARTBEAT_OPTIONS } from './types.ts';
import type {
  Client, ClientEvents, ClientOptions, ClientState, ResolvedClientOptions, SubscribeOptions,
} from './types.ts';

/**
 * Codes a later attempt can get past by waiting; every other code is final for what it answered.
 * `unavailable` (503) is a backend away for a while — Redis paused or restarting under a
 * node (issue 10) — after which the same receive succeeds: a client must not close on it.
 */
const RETRYABLE = new Set<string>(['rate_limited', 'too_many_connections', 'shutting_down', 'slow_consumer', 'unavailable']);

/**
 * How long after a renewal that got no answer a `name_taken` is taken for our
 * own lost session rather than someone else's: longer than the server's
 * default sessionIdleMs (90 s), after which it lets a session without
 * connections go (src/config.ts).
 */
const ORPHAN_GRACE_MS = 120_000;

/** What a try to make a new session came to: a token, a reason to try again later, or a refusal. */
type Renewal = 'renewed' | 'later' | 'refused';

/** Tries of one HTTP publish before its promise gives up. */
const PUBLISH_ATTEMPTS = 5;

/** What to do after a failed attempt: wait and retry, or give up with an error. */
export type FailureVerdict = { retryInMs: number } | { fatal: LabError };

export function resolveClientOptions(options: ClientOptions): ResolvedClientOptions {
  const backoff = options.backoff ?? DEFAULT_CLIENT_OPTIONS.backoff;
  return {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    name: options.name,
    token: options.token,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_CLIENT_OPTIONS.pollIntervalMs,
    conditional: options.conditional ?? false,
    longPollWaitSeconds: options.longPollWaitSeconds ?? DEFAULT_CLIENT_OPTIONS.longPollWaitSeconds,
    backoff: { minMs: backoff.minMs, maxMs: backoff.maxMs },
    ...heartbeatOptions(options),
    // Node's fetch would offer gzip by itself; saying it makes the choice explicit and the same everywhere.
    headers: options.compression ? { 'accept-encoding': 'gzip', ...options.headers } : { ...options.headers },
    fetch: options.fetch,
    compression: options.compression ?? false,
  };
}

/** The heartbeat timeouts over their defaults; a bad value fails at construction, naming the option. */
function heartbeatOptions(options: ClientOptions): Pick<ResolvedClientOptions, (typeof HEARTBEAT_OPTIONS)[number]> {
  const resolved = {} as Pick<ResolvedClientOptions, (typeof HEARTBEAT_OPTIONS)[number]>;
  for (const key of HEARTBEAT_OPTIONS) {
    const value = options[key] ?? DEFAULT_CLIENT_OPTIONS[key];
    const mayBeOff = key === 'sseIdleTimeoutMs' || key === 'wsPingIntervalMs';
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (value === 0 && !mayBeOff)) {
      throw new RangeError(`client option ${key} must be ${mayBeOff ? '0 (off) or more' : 'above 0'}, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

/**
 * What every transport's client shares: the session, the state machine, the
 * typed events, de-duplication per topic, the cursor, backoff and the
 * decision of which failures are worth a retry. A transport adds how it
 * receives (`subscribe`) and how it sends (`publish`).
 */
export abstract class BaseClient implements Client {
  abstract readonly transport: TransportName;
  protected readonly options: ResolvedClientOptions;
  protected readonly backoff: Backoff;
  /** Aborted by close(): every loop, sleep and request of the client ends with it. */
  protected readonly lifetime = new AbortController();
  /** Topics the server has accepted, in the order they were added. */
  protected topics: string[] = [];
  protected token: string | undefined;
  private readonly emitter = new TypedEmitter<ClientEvents>();
  private readonly ledger = new TopicPositions();
  private sessionName: string | undefined;
  /** True when this client made the session itself and may make it again. */
  private readonly ownsSession: boolean;
  private currentState: ClientState = 'idle';
  private currentCursor: string | undefined;
  private connecting: Promise<void> | undefined;
  /** Why the client closed itself, so that later calls reject with the real reason. */
  private fatal: LabError | undefined;
  private readonly idPrefix = randomTag();
  private idCounter = 0;
  private renewedAt = 0;
  /** When a renewal last went unanswered (the server may have made that session), until one succeeds. */
  private unansweredRenewalAt: number | undefined;

  constructor(options: ClientOptions) {
    this.options = resolveClientOptions(options);
    this.backoff = new Backoff(this.options.backoff);
    this.token = this.options.token;
    this.ownsSession = this.token === undefined;
    this.sessionName = this.ownsSession ? (this.options.name ?? `guest-${randomTag()}`) : this.options.name;
  }

  get name(): string | undefined {
    return this.sessionName;
  }

  get state(): ClientState {
    return this.currentState;
  }

  get cursor(): string | undefined {
    return this.currentCursor;
  }

  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void {
    return this.emitter.on(event, listener);
  }

  connect(): Promise<void> {
    if (this.currentState === 'closed') return Promise.reject(this.fatal ?? closedError());
    this.connecting ??= this.connectOnce().catch((error: unknown) => {
      this.connecting = undefined;
      if (this.currentState !== 'closed') this.setState('idle');
      throw error;
    });
    return this.connecting;
  }

  abstract subscribe(topics: string[], options?: SubscribeOptions): Promise<void>;
  abstract publish(topic: string, body: string, id?: string): Promise<PublishResult>;

  async close(): Promise<void> {
    if (this.currentState === 'closed') return;
    this.lifetime.abort();
    await this.shutdown();
    this.setState('closed');
    this.emitter.removeAll();
  }

  /** Opens what the transport keeps open (the WebSocket); HTTP transports have nothing to open. */
  protected async open(): Promise<void> {}

  /** Releases the transport's connections; called once by close(). */
  protected abstract shutdown(): Promise<void>;

  /** Connects first when needed; every public operation starts here. */
  protected async ready(): Promise<void> {
    if (this.currentState === 'closed') throw this.fatal ?? closedError();
    await this.connect();
  }

  protected get closed(): boolean {
    return this.lifetime.signal.aborted;
  }

  protected setState(state: ClientState): void {
    if (state === this.currentState || this.currentState === 'closed') return;
    this.currentState = state;
    this.emitter.emit('state', state);
  }

  /** A receive request or stream works again. */
  protected markConnected(): void {
    this.backoff.reset();
    this.setState('connected');
  }

  protected setCursor(cursor: string | undefined): void {
    if (cursor) this.currentCursor = cursor;
  }

  /** Hands a message to the application unless it was delivered before. */
  protected deliverMessage(message: Message): void {
    const verdict = this.ledger.acceptMessage(message);
    if (!verdict.deliver) return;
    if (verdict.gap) this.emitter.emit('gap', verdict.gap);
    this.emitter.emit('message', message);
  }

  protected deliverGap(gap: Gap): void {
    if (this.ledger.acceptGap(gap)) this.emitter.emit('gap', gap);
  }

  /** Parses what the server sent; a malformed frame or event is reported, not thrown into a socket handler. */
  protected parseServerJson<T>(text: string): T | undefined {
    try {
      return JSON.parse(text) as T;
    } catch {
      this.emitError(new LabError('bad_request', `the server sent something that is not JSON: ${text.slice(0, 80)}`));
      return undefined;
    }
  }

  protected emitError(error: LabError): void {
    this.emitter.emit('error', error);
  }

  /** An idempotency key, so that a publish can be retried without being stored twice. */
  protected nextId(): string {
    this.idCounter += 1;
    return `${this.idPrefix}-${this.idCounter}`;
  }

  /**
   * Decides about a failed attempt. Network faults and retryable codes wait
   * (at least Retry-After); `unauthorized` gets one new session when this
   * client made its own (a restarted server forgot the old one) — tried again
   * later when the renewal itself got no answer; the rest is final.
   */
  protected async judgeFailure(error: unknown): Promise<FailureVerdict> {
    if (error instanceof LabError) {
      if (error.code === 'unauthorized') {
        const renewal = await this.renewSession();
        if (renewal === 'renewed') return { retryInMs: 0 };
        if (renewal === 'later') {
          this.setState('reconnecting');
          return { retryInMs: this.backoff.next() };
        }
      }
      if (!RETRYABLE.has(error.code)) return { fatal: error };
      this.emitError(error);
      this.setState('reconnecting');
      return { retryInMs: Math.max((error.retryAfter ?? 0) * 1000, this.backoff.next()) };
    }
    // NetworkError, an aborted or timed-out request, a stream that broke mid-way.
    this.setState('reconnecting');
    return { retryInMs: this.backoff.next() };
  }

  /**
   * Runs `attempt` until it succeeds, waiting between tries as judgeFailure
   * says; throws the fatal LabError, or returns false when the client closed.
   */
  protected async retry(attempt: () => Promise<void>, signal = this.lifetime.signal): Promise<boolean> {
    for (;;) {
      if (signal.aborted || this.closed) return false;
      try {
        await attempt();
        return true;
      } catch (error) {
        if (signal.aborted || this.closed) return false;
        const verdict = await this.judgeFailure(error);
        if ('fatal' in verdict) throw verdict.fatal;
        await sleep(verdict.retryInMs, signal);
      }
    }
  }

  /**
   * Publishing over HTTP (poll, longpoll and sse send this way). A network
   * fault or a 503 is retried a few times with the same id — the server stores
   * it once; a 429 is the caller's pace and is returned to the caller at once.
   */
  protected async publishOverHttp(topic: string, body: string, id = this.nextId()): Promise<PublishResult> {
    await this.ready();
    const backoff = new Backoff(this.options.backoff);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await publishOverHttp(this.options, this.transport, this.token, { topic, body, id });
      } catch (error) {
        if (this.closed) throw closedError();
        if (error instanceof LabError && error.code === 'unauthorized') {
          const renewal = await this.renewSession();
          if (renewal === 'renewed') continue;
          if (renewal === 'later' && attempt < PUBLISH_ATTEMPTS) {
            await sleep(backoff.next(), this.lifetime.signal);
            continue;
          }
        }
        const busy = error instanceof LabError && (error.code === 'too_many_connections' || error.code === 'shutting_down');
        if (!(busy || error instanceof NetworkError) || attempt >= PUBLISH_ATTEMPTS) throw error;
        const retryAfterMs = error instanceof LabError ? (error.retryAfter ?? 0) * 1000 : 0;
        await sleep(Math.max(retryAfterMs, backoff.next()), this.lifetime.signal);
      }
    }
  }

  /** A fault nothing can fix: report it and stop. */
  protected fail(error: LabError): void {
    if (this.closed) return;
    this.fatal = error;
    this.emitError(error);
    void this.close();
  }

  private async connectOnce(): Promise<void> {
    this.setState('connecting');
    if (this.token === undefined) await this.startSession();
    await this.open();
    this.markConnected();
  }

  private async startSession(): Promise<void> {
    const session = await createSession(this.options, this.sessionName ?? '');
    this.token = session.token;
    this.sessionName = session.name;
  }

  private async renewSession(): Promise<Renewal> {
    // Once per few seconds at most: a server that refuses fresh tokens too must not spin us.
    if (!this.ownsSession || this.closed || Date.now() - this.renewedAt < 5000) return 'refused';
    this.renewedAt = Date.now();
    try {
      await this.startSession();
      this.unansweredRenewalAt = undefined;
      return 'renewed';
    } catch (error) {
      if (this.closed) return 'refused';
      // No answer (a stall past the timeout, a drop, a server still starting) is no refusal: try again
      // after backoff. The request may have reached the server, which then holds our name for a while.
      if (error instanceof NetworkError || (error instanceof LabError && RETRYABLE.has(error.code))) {
        if (error instanceof NetworkError) this.unansweredRenewalAt ??= Date.now();
        this.renewedAt = 0;
        return 'later';
      }
      // Our name held by the session our unanswered renewal made: wait for the server to let it go.
      if (error instanceof LabError && error.code === 'name_taken' && this.unansweredRenewalAt !== undefined
        && Date.now() - this.unansweredRenewalAt < ORPHAN_GRACE_MS) {
        this.emitError(error);
        this.renewedAt = 0;
        return 'later';
      }
      return 'refused';
    }
  }
}

export function closedError(): LabError {
  return new LabError('bad_request', 'the client is closed');
}

/** Topics already held plus the new ones, in order, without repeats. */
export function mergeTopics(held: readonly string[], added: readonly string[]): string[] {
  return [...new Set([...held, ...added])];
}

function randomTag(): string {
  const bytes = new Uint8Array(4);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
