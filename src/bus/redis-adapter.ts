import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Message } from '../protocol/envelope.ts';
import { LabError } from '../protocol/errors.ts';
import { redisWhere } from '../shared/redis-connection.ts';
import { LiveFeed } from './live-feed.ts';
import { KnownUsers } from './known-users.ts';
import { busConnections, type ScriptedRedis } from './redis-connections.ts';
import { RedisKeys } from './redis-keys.ts';
import { StoredHeads } from './stored-heads.ts';
import type { AdapterStats, BusAdapter, HistorySlice, PublishInput, PublishOutcome } from './types.ts';

export interface RedisAdapterOptions {
  /** `redis://host:port[/db]` (default redis://127.0.0.1:6379). */
  url?: string;
  /** Prepended to every key and channel, so that several labs (or tests) share one Redis (default `lab:`). */
  prefix?: string;
  /** Messages kept per topic (default 1,000, as the in-memory adapter). */
  historyPerTopic?: number;
  /**
   * How long one command may take before it fails as `unavailable` (default
   * 2,000 ms): a paused Redis keeps its connections open, so without a limit a
   * publish would hang. A publish that timed out may still be stored once
   * Redis resumes; a retry with the same id is then answered as a duplicate.
   */
  commandTimeoutMs?: number;
}

/**
 * The bus over Redis, for several nodes on one history (issue 10). Each
 * publish is one round trip: a Lua script checks the idempotency key, assigns
 * the seq with INCR, appends to the topic's stream trimmed to the history size
 * and PUBLISHes the epoch and the message JSON. Every node hears every topic through one
 * PSUBSCRIBE on its own connection, in seq order per topic (PUBLISH runs inside
 * the script, so channel order is store order); what pub/sub loses while that
 * connection is down is read back from the streams (live-feed.ts). Catch-up
 * reads the stream — except at a cursor already at what the feed has passed
 * on (`settledSeq`): a long poll with nothing new costs Redis nothing.
 *
 * The epoch lives in Redis with the history: a node that restarts finds it
 * (not a gap); a Redis that lost its data has none, and the first node to
 * notice stores a new one, so older cursors get `restarted`. Every script
 * checks it, so a node notices on its next operation.
 *
 * Limits on a Redis Cluster (tested here on one instance only): one topic's
 * keys share a slot through the `{topic}` hash tag, but the publish script
 * also touches the global epoch and stats keys, which a Cluster refuses
 * (CROSSSLOT); there, the epoch would have to be kept per topic (a cursor
 * format with one epoch per topic) and the stats summed per topic. PSUBSCRIBE
 * is not sharded: every publish reaches every Cluster node; sharded pub/sub
 * (SSUBSCRIBE) needs the bus to subscribe per topic through the adapter.
 * Unlike the in-memory adapter there is no global byte cap: Redis's own
 * `maxmemory` bounds it.
 */
export class RedisAdapter implements BusAdapter {
  readonly #keys: RedisKeys;
  /** The URL without its password, for error messages. */
  readonly #where: string;
  readonly #historyPerTopic: number;
  readonly #commands: ScriptedRedis;
  readonly #subscriber: Redis;
  readonly #listeners = new Set<(message: Message) => void>();
  readonly #epochListeners = new Set<(epoch: string) => void>();
  /** Makes the ids of messages published without one unique across nodes. */
  readonly #nodeId = randomBytes(6).toString('hex');
  /** This node's connections in Redis's CLIENT LIST: `<clientName>-cmd` and `<clientName>-sub`. */
  readonly clientName = `lab-bus-${this.#nodeId}`;
  readonly #feed = new LiveFeed(
    (topic, afterSeq, limit) => this.read(topic, afterSeq, limit),
    (message) => {
      for (const listener of this.#listeners) listener(message);
    },
  );
  /** What this node may answer about a topic's head without a read (stored-heads.ts). */
  readonly #heads = new StoredHeads();
  /** Names Redis confirmed ever held a session (known-users.ts): asked once per node and epoch. */
  readonly #knownUsers = new KnownUsers();
  #nextServerId = 0;
  #epoch: string | undefined;
  #state: 'new' | 'connecting' | 'open' | 'closed' = 'new';

  constructor(options: RedisAdapterOptions = {}) {
    this.#keys = new RedisKeys(options.prefix ?? 'lab:');
    this.#historyPerTopic = options.historyPerTopic ?? 1000;
    if (!Number.isSafeInteger(this.#historyPerTopic) || this.#historyPerTopic < 1) {
      throw new RangeError(`historyPerTopic must be an integer ≥ 1, got ${options.historyPerTopic}`);
    }
    const url = options.url ?? 'redis://127.0.0.1:6379';
    this.#where = redisWhere(url);
    const { commands, subscriber } = busConnections(url, this.clientName, options.commandTimeoutMs ?? 2000);
    this.#commands = commands;
    this.#subscriber = subscriber;
    this.#subscriber.on('pmessage', (_pattern: string, _channel: string, payload: string) => this.#deliver(payload));
    this.#subscriber.on('close', () => this.#heads.unsubscribed());
    this.#subscriber.on('ready', () => {
      if (this.#state === 'open') void this.#resubscribe();
    });
  }

  get epoch(): string {
    if (this.#epoch === undefined) throw new Error('RedisAdapter: call connect() before reading the epoch');
    return this.#epoch;
  }

  /**
   * Undefined while both bus connections are up; else why not, for `/healthz`.
   * Each connection reconnects on its own backoff, so the shared state's PING
   * answering again does not yet mean that the bus's commands would.
   */
  problem(): string | undefined {
    if (this.#state !== 'open') return undefined;
    return this.#commands.status === 'ready' && this.#subscriber.status === 'ready' ? undefined : 'redis unreachable';
  }

  async connect(): Promise<void> {
    if (this.#state === 'closed') throw closedError();
    if (this.#state !== 'new') throw new Error('RedisAdapter: connect() is called once');
    this.#state = 'connecting';
    try {
      await Promise.all([this.#commands.connect(), this.#subscriber.connect()]);
      await this.#subscriber.psubscribe(this.#keys.livePattern);
      this.#heads.subscribed();
      await this.#ensureEpoch();
    } catch (error) {
      await this.close();
      throw new LabError('unavailable', `cannot reach Redis at ${this.#where} for the bus: ${(error as Error).message}`);
    }
    this.#state = 'open';
  }

  publish(input: PublishInput): Promise<PublishOutcome> {
    return this.#run('publish', async () => {
      const keys = this.#keys.topic(input.topic);
      const id = input.id ?? this.#makeId();
      const ticket = this.#heads.ticket();
      // A stale epoch (another node saw Redis lose its data) is learnt and the publish retried once.
      for (let attempt = 0; ; attempt++) {
        const [kind, value] = await this.#commands.labPublish(
          keys.seq, keys.log, keys.ids, this.#keys.key('epoch'), this.#keys.key('stats'),
          this.epoch, id, JSON.stringify(input.topic), JSON.stringify(id), JSON.stringify(input.from),
          JSON.stringify(input.body), Date.now(), this.#historyPerTopic, keys.live,
        );
        if (kind !== 'epoch') {
          const message = JSON.parse(value) as Message;
          this.#heads.reported(ticket, input.topic, message.seq);
          return { message, duplicate: kind === 'duplicate' };
        }
        await this.#learnEpoch(value);
        if (attempt >= 1) throw new LabError('unavailable', 'the bus epoch keeps changing under this publish');
      }
    });
  }

  read(topic: string, afterSeq: number, limit: number): Promise<HistorySlice> {
    return this.#run('read', async () => {
      const keys = this.#keys.topic(topic);
      const ticket = this.#heads.ticket();
      const [epoch, lastSeq, firstHeldSeq, ...messages] = await this.#commands.labRead(
        keys.seq, keys.log, this.#keys.key('epoch'), afterSeq, Math.max(0, limit),
      );
      await this.#learnEpoch(epoch);
      // After learning the epoch: a reply that changed it is not learnt from (its ticket passed).
      this.#heads.reported(ticket, topic, lastSeq);
      return { messages: messages.map((json) => JSON.parse(json) as Message), lastSeq, firstHeldSeq };
    });
  }

  /**
   * Drops a topic's whole history and keeps its seqs going (a name's inbox
   * when the name passes to a new holder): a cursor from before sees a
   * `trimmed` gap, never the old holder's messages.
   */
  forget(topic: string): Promise<void> {
    return this.#run('forget', async () => {
      const keys = this.#keys.topic(topic);
      for (let attempt = 0; ; attempt++) {
        const [kind, value] = await this.#commands.labForget(keys.seq, keys.log, keys.ids, this.#keys.key('epoch'), this.#keys.key('stats'), this.epoch);
        if (kind !== 'epoch') return;
        await this.#learnEpoch(String(value));
        if (attempt >= 1) throw new LabError('unavailable', 'the bus epoch keeps changing under this forget');
      }
    });
  }

  /**
   * The topic's last seq as far as this node knows without a read: the bus
   * skips the read for a cursor at exactly this position (nothing new there).
   * Undefined while the live subscription is down, the feed repairs a hole of
   * the topic, or no read since the subscription (or the epoch) began reported
   * the topic's head. See stored-heads.ts for why it holds.
   */
  settledSeq(topic: string): number | undefined {
    if (this.#state !== 'open') return undefined;
    return this.#heads.settled(topic, this.#feed.lastPassed(topic), this.#feed.repairing(topic));
  }

  async lastSeq(topic: string): Promise<number> {
    return (await this.read(topic, 0, 0)).lastSeq;
  }

  onMessage(listener: (message: Message) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Hears a new epoch learnt while open (Redis restarted empty): see BusAdapter.onEpoch. */
  onEpoch(listener: (epoch: string) => void): () => void {
    this.#epochListeners.add(listener);
    return () => this.#epochListeners.delete(listener);
  }

  rememberUser(name: string): Promise<void> {
    return this.#run('rememberUser', async () => {
      // Always written (once per session made, not per message): a Redis that lost its data unnoticed gets the name back.
      const epoch = this.epoch;
      await this.#commands.sadd(this.#keys.key('users'), name);
      this.#knownUsers.add(name, epoch === this.epoch);
    });
  }

  knowsUser(name: string): Promise<boolean> {
    return this.#run('knowsUser', async () => {
      if (this.#knownUsers.has(name)) return true;
      const epoch = this.epoch;
      const known = (await this.#commands.sismember(this.#keys.key('users'), name)) === 1;
      if (known) this.#knownUsers.add(name, epoch === this.epoch);
      return known;
    });
  }

  stats(): Promise<AdapterStats> {
    return this.#run('stats', async () => {
      const figures = await this.#commands.hgetall(this.#keys.key('stats'));
      return {
        epoch: this.epoch,
        topics: Number(figures.topics ?? 0),
        historyMessages: Number(figures.messages ?? 0),
        historyBytes: Number(figures.bytes ?? 0),
      };
    });
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#listeners.clear();
    this.#epochListeners.clear();
    // quit() lets queued replies arrive; disconnect() covers a connection that never opened.
    await Promise.allSettled([this.#subscriber.quit(), this.#commands.quit()]);
    this.#subscriber.disconnect();
    this.#commands.disconnect();
  }

  /**
   * A live copy, `<epoch> <message JSON>` (redis-scripts.ts PUBLISH_LUA). A copy
   * of another epoch means Redis lost its data and another node noticed first:
   * this node learns the epoch now (its receivers hear of the restart), rather
   * than on its next read — which a node answering from its feed may not make
   * soon — and the copy goes on only if it belongs to the epoch learnt.
   */
  #deliver(payload: string): void {
    if (this.#state === 'closed') return;
    const space = payload.indexOf(' ');
    const epoch = payload.slice(0, space);
    const message = JSON.parse(payload.slice(space + 1)) as Message;
    if (this.#epoch === undefined || epoch === this.#epoch) {
      this.#feed.receive(message);
      return;
    }
    this.#heads.forgetAll();
    this.#ensureEpoch().then(
      () => {
        if (this.#state !== 'closed' && this.#epoch === epoch) this.#feed.receive(message);
      },
      // Redis is away: the resync after the reconnect reads the topic back.
      () => {},
    );
  }

  /**
   * After the subscriber reconnected: the epoch first (a Redis that came back
   * empty is noticed now, not at the next operation, so live receivers hear of
   * the restart at once — and before any live copy of the new epoch can reach
   * the feed), then the pattern again, then what was published meanwhile.
   */
  async #resubscribe(): Promise<void> {
    try {
      // Not learnt now (the command connection is not back yet): the resync's reads or the next operation learn it.
      await this.#ensureEpoch().catch(() => {});
      await this.#subscriber.psubscribe(this.#keys.livePattern);
      this.#heads.subscribed();
      this.#feed.resync();
    } catch {
      // The connection dropped again; its next 'ready' tries again.
    }
  }

  /** Runs an operation of an open adapter; a Redis failure becomes `unavailable`. */
  async #run<T>(operation: string, body: () => Promise<T>): Promise<T> {
    if (this.#state === 'closed') throw closedError();
    if (this.#state !== 'open') throw new Error(`RedisAdapter: call connect() before ${operation}()`);
    try {
      return await body();
    } catch (error) {
      if (error instanceof LabError) throw error;
      // Retry-After: 1 — a Redis that is restarting or paused is usually back within seconds.
      throw new LabError('unavailable', `the bus could not ${operation} on Redis: ${(error as Error).message}`, 1);
    }
  }

  /** Takes the epoch a script saw; none stored means Redis lost its data: store a new one. */
  async #learnEpoch(stored: string): Promise<void> {
    if (stored === '') await this.#ensureEpoch();
    else this.#setEpoch(stored);
  }

  async #ensureEpoch(): Promise<void> {
    this.#setEpoch(await this.#commands.labEnsureEpoch(this.#keys.key('epoch'), newEpoch()));
  }

  #setEpoch(epoch: string): void {
    const previous = this.#epoch;
    this.#epoch = epoch;
    if (previous === undefined || epoch === previous) return;
    // A new epoch restarts seqs at 1: the live feed's positions and the heads belong to the old one.
    this.#heads.forgetAll();
    this.#knownUsers.clear();
    this.#feed.reset();
    // Synchronously, before this node stores (and so hears) a message of the new epoch.
    if (this.#state !== 'closed') for (const listener of [...this.#epochListeners]) listener(epoch);
  }

  #makeId(): string {
    this.#nextServerId += 1;
    return `s-${this.#nodeId}-${this.#nextServerId}`;
  }
}

function closedError(): LabError {
  return new LabError('unavailable', 'the bus adapter is closed');
}

/** Epochs are short lowercase base36 so that cursors stay plain text (as memory-adapter.ts makes them). */
function newEpoch(): string {
  return (Date.now().toString(36) + randomBytes(4).readUInt32BE(0).toString(36)).slice(0, 32);
}
