import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { Positions } from '../bus/types.ts';
import { LabError, parseTopicList, type Gap, type Message, type PublishResult, type ServerFrame } from '../protocol/index.ts';
import { errorFrame, toLabError } from './errors.ts';
import { Outbox, type OutboxSink } from './outbox.ts';
import { parseBacklog, parseCursor, readableTopics, replayBatch } from './query.ts';
import { corkAheadForThisTurn, corkForThisTurn } from './turn-cork.ts';
import { drainedTo } from './ws-drained.ts';
import type { Admission, TransportContext, WireMeter } from './types.ts';
import { messageFrame, soleTopicFrame } from './ws-message-frames.ts';
import { RoomSeat, type RoomSocket, type WsRooms } from './ws-rooms.ts';

/** How long a closing socket may take to flush its close frame before it is cut. */
const CLOSE_GRACE_MS = 5_000;
const MAX_REF_LENGTH = 128;
/** `ws.send` options for every frame: text, even when the frame is a shared Buffer (made once, not per send). */
const TEXT_FRAME = { binary: false } as const;

/** One `subscribe` frame's topics: the socket's own outbox, or its seat in a topic's room (ws-rooms.ts). */
type Subscription = Outbox | RoomSeat;

/**
 * One WebSocket client: its frames in, its subscriptions (one Outbox per
 * `subscribe` frame), and what goes out. A message frame is encoded once and its
 * Buffer sent to every socket with the same cursor after it (FrameCache); writes
 * within one event-loop turn share a syscall (corkForThisTurn).
 *
 * A socket that follows one topic alone trades its outbox, once live, for a
 * seat in that topic's room (`rooms`, absent for a socket whose bytes are
 * counted as compressed): the room orders, encodes and counts each message
 * once for all its sockets and calls `writeShared` on each. Subscribing to
 * another topic takes the socket out of the room again, onto an outbox of
 * its own from the room's position.
 *
 * A `subscribe` naming topics this socket already has ignores those topics; an
 * `unsubscribe` is answered with `subscribed` and the cursor of what remains.
 */
export class WsPeer implements RoomSocket, OutboxSink {
  readonly #meter: WireMeter;
  #outboxes: Subscription[] = [];
  /**
   * Every topic of the open outboxes (each topic is in one outbox at most), and
   * what each open outbox claimed of the session's topic allowance. Arrays, not a
   * Set and a Map: a socket has a few topics (maxTopicsPerConnection), and an
   * empty hash table alone is ~240 bytes per idle connection (issue 12). They
   * and #outboxes grow by copying, not push: a push leaves room for 16 more
   * (~150 bytes each), kept for the socket's life.
   */
  #topics: string[] = [];
  #claims: Array<{ subscription: Subscription; release: () => void }> = [];
  #missedPongs = 0;
  #closed = false;
  /** A seat in the room is asked for once the current fan-out is over (#askSeatAgain). */
  #seatAsked = false;

  constructor(
    private readonly context: TransportContext,
    private readonly ws: WebSocket,
    /** The TCP socket under `ws`, corked while a turn's frames are written. */
    private readonly socket: Duplex,
    /** The session's admission: its hold is given back when the socket goes. */
    private readonly admission: Admission,
    private readonly onClose: () => void,
    /** The transport's rooms; undefined for a socket that must count its own bytes (permessage-deflate). */
    private readonly rooms?: WsRooms,
  ) {
    this.#meter = context.meter;
    ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    ws.on('pong', () => {
      this.#missedPongs = 0;
    });
    // `ws` reports protocol faults (e.g. a frame over maxPayload → 1009) here, then closes.
    ws.on('error', ignoreError);
    ws.on('close', () => this.#cleanUp());
  }

  /** As the sink of its own outboxes (the peer itself: no sink object and closures per socket). */
  message(message: Message, json: string): void {
    this.#sendMessage(message, json);
  }

  gap(gap: Gap): void {
    this.sendGap(gap);
  }

  /** Called every wsPingIntervalMs: pings, and drops a peer that missed two pongs. */
  heartbeat(): void {
    if (this.#closed) return;
    if (this.#missedPongs >= 2) {
      this.ws.terminate();
      return;
    }
    this.#missedPongs += 1;
    this.ws.ping();
  }

  /** Closes 1001 shutting_down. */
  shutDown(): void {
    this.#close(1001, 'shutting_down');
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : data.byteLength;
    this.#meter.bodyIn(bytes);
    let frame: unknown;
    try {
      if (isBinary) throw new LabError('bad_request', 'frames are JSON text');
      frame = JSON.parse(data.toString());
    } catch (error) {
      this.#sendError(error instanceof LabError ? error : new LabError('bad_request', 'the frame is not valid JSON'));
      return;
    }
    const op = typeof frame === 'object' && frame !== null ? (frame as { op?: unknown }).op : undefined;
    const fields = (typeof frame === 'object' && frame !== null ? frame : {}) as Record<string, unknown>;
    const ref = typeof fields.ref === 'string' && fields.ref.length <= MAX_REF_LENGTH ? fields.ref : undefined;
    const done = (error: unknown): void => this.#sendError(toLabError(error), ref);
    switch (op) {
      case 'subscribe':
        this.#subscribe(fields, ref).catch(done);
        break;
      case 'unsubscribe':
        this.#unsubscribe(fields, ref).catch(done);
        break;
      case 'publish':
        this.#publish(fields, ref, done);
        break;
      default:
        done(new LabError('bad_request', 'op must be "subscribe", "unsubscribe" or "publish"'));
    }
  }

  async #subscribe(frame: Record<string, unknown>, ref: string | undefined): Promise<void> {
    const topics = readableTopics(frame.topics, this.admission.session.name);
    const cursor = parseCursor(frame.cursor);
    const backlog = parseBacklog(frame.backlog, this.context.options);
    // O(topics in the frame × the socket's topics), both at most maxTopicsPerConnection.
    await this.#open(topics.filter((topic) => !this.#topics.includes(topic)), cursor, backlog, ref);
  }

  async #unsubscribe(frame: Record<string, unknown>, ref: string | undefined): Promise<void> {
    const leaving = new Set(parseTopicList(frame.topics));
    const reopen: Positions = {};
    for (const outbox of this.#outboxes.filter((o) => o.topics.some((topic) => leaving.has(topic)))) {
      this.#closeOutbox(outbox);
      for (const topic of outbox.topics) if (!leaving.has(topic)) reopen[topic] = outbox.positions[topic] ?? 0;
    }
    this.#outboxes = this.#outboxes.filter((outbox) => !outbox.closed);
    const remaining = Object.keys(reopen);
    // Topics that shared an outbox with a leaving one resume from where they were.
    await this.#open(remaining, remaining.length > 0 ? this.context.bus.encodeCursor(reopen) : undefined, 0, ref);
  }

  async #open(topics: string[], cursor: string | undefined, backlog: number, ref: string | undefined): Promise<void> {
    if (topics.length === 0) {
      this.#send({ op: 'subscribed', ...(ref === undefined ? {} : { ref }), cursor: this.#cursor() });
      return;
    }
    const perConnection = this.context.options.maxTopicsPerConnection;
    if (this.#topics.length + topics.length > perConnection) {
      // Issue 8 #2: a socket's topics are bounded, so are its cursor and the work per message.
      throw new LabError('bad_request', `a WebSocket follows at most ${perConnection} topics (maxTopicsPerConnection); it follows ${this.#topics.length}`);
    }
    const release = this.admission.claimTopics(topics.length);
    // Another topic means another cursor than the room's: back onto an outbox of its own first.
    this.#leaveRoom();
    const outbox = new Outbox(this.context.bus, topics, this);
    this.#outboxes = [...this.#outboxes, outbox];
    this.#claims = [...this.#claims, { subscription: outbox, release }];
    this.#topics = [...this.#topics, ...topics];
    if (this.#closed) this.#closeOutbox(outbox);
    try {
      const startGaps = await outbox.begin(cursor, backlog);
      if (outbox.closed) return;
      this.#send({ op: 'subscribed', ...(ref === undefined ? {} : { ref }), cursor: this.#cursor() });
      for (const gap of startGaps) this.sendGap(gap);
      // A replay waits for its reader: until at most half of wsMaxBufferedBytes is unsent.
      await outbox.drain(this.#replayBatch(), () => drainedTo(this.ws, this.socket, this.context.options.wsMaxBufferedBytes / 2, () => this.#closed));
      outbox.goLive();
      this.#takeSeat();
    } catch (error) {
      this.#closeOutbox(outbox);
      this.#outboxes = this.#outboxes.filter((o) => o !== outbox);
      throw error;
    }
  }

  #replayBatch(): number {
    return replayBatch(this.context.options.wsMaxBufferedBytes, this.context.options);
  }

  /**
   * Trades the socket's one outbox for a seat in its topic's room when it is
   * live on one topic (nothing buffered, so its position is where live
   * messages stand); the outbox closes in the same turn.
   */
  #takeSeat(): void {
    if (this.rooms === undefined || this.#closed || this.#outboxes.length !== 1) return;
    const outbox = this.#outboxes[0];
    if (!(outbox instanceof Outbox) || outbox.topics.length !== 1 || !outbox.live) return;
    const topic = outbox.topics[0] as string;
    const seat = this.rooms.seat(this, topic, outbox.positions[topic] ?? 0);
    if (seat === undefined) return;
    this.#swap(outbox, seat);
    outbox.close();
  }

  /** Gives the socket's room seat (if it has one) back for an outbox of its own, live from the room's position. */
  #leaveRoom(): void {
    const seat = this.#outboxes.find((subscription) => subscription instanceof RoomSeat);
    if (seat === undefined) return;
    const outbox = new Outbox(this.context.bus, seat.topics, this);
    // The room's position is what this socket was sent; a message the room still holds back shows as a hole, which the outbox reads.
    outbox.startLive(seat.positions, this.#replayBatch());
    this.#swap(seat, outbox);
    seat.close();
  }

  /** Puts `next` where `previous` was, with its claim on the session's topics. */
  #swap(previous: Subscription, next: Subscription): void {
    this.#outboxes[this.#outboxes.indexOf(previous)] = next;
    const claim = this.#claims.find((entry) => entry.subscription === previous);
    if (claim !== undefined) claim.subscription = next;
  }

  /** Closes an outbox and gives its topics back (to this socket's and the session's counts). */
  #closeOutbox(outbox: Subscription): void {
    outbox.close();
    const claim = this.#claims.find((entry) => entry.subscription === outbox);
    if (claim === undefined) return;
    this.#claims = this.#claims.filter((entry) => entry !== claim);
    claim.release();
    this.#topics = this.#topics.filter((topic) => !outbox.topics.includes(topic));
  }

  /** Acks in the turn the frame arrived when nothing waits (the in-memory bus), else once the publish settles. */
  #publish(frame: Record<string, unknown>, ref: string | undefined, done: (error: unknown) => void): void {
    let result: PublishResult | Promise<PublishResult>;
    try {
      result = this.admission.publishNow(frame);
    } catch (error) {
      done(error);
      return;
    }
    if (result instanceof Promise) result.then((settled) => this.#ack(settled, ref)).catch(done);
    else this.#ack(result, ref);
  }

  /** The ack leaves ahead of the turn's fan-out (turn-cork.ts): its publisher can send the next one meanwhile. */
  #ack(result: PublishResult, ref: string | undefined): void {
    this.#meter.published();
    this.#send({ op: 'ack', ...(ref === undefined ? {} : { ref }), ...result }, true);
  }

  /** The cursor over every topic this socket follows. */
  #cursor(): string {
    if (this.#outboxes.length === 1) return this.context.bus.encodeCursor(this.#outboxes[0].positions);
    const positions: Positions = {};
    for (const outbox of this.#outboxes) Object.assign(positions, outbox.positions);
    return this.context.bus.encodeCursor(positions);
  }

  /** A message from one of this socket's own outboxes (a replay, several topics, or not seated yet). */
  #sendMessage(message: Message, envelopeJson: string): void {
    if (this.#closed) return;
    this.#meter.delivered(1);
    const outboxes = this.#outboxes;
    // A socket on one topic (the common case) has the cursor every such socket has after this message.
    const sole = outboxes.length === 1 && outboxes[0].topics.length === 1 && outboxes[0].topics[0] === message.topic;
    if (!sole) {
      this.#write(messageFrame(message, envelopeJson, this.#cursor()));
      return;
    }
    this.#write(soleTopicFrame(this.context.bus, message, envelopeJson, outboxes[0].positions));
    // Not seated when it went live (its room stood elsewhere): it may be once this outbox has released what it holds.
    if (this.rooms !== undefined && !this.#seatAsked) {
      this.#seatAsked = true;
      // Never from inside an outbox's release (it would close under its own loop): after the turn's fan-out.
      queueMicrotask(() => {
        this.#seatAsked = false;
        this.#takeSeat();
      });
    }
  }

  /** Writes a room's frame (ws-rooms.ts counts it, once for the room); false when the socket is going. */
  writeShared(frame: Buffer): boolean {
    if (this.#closed || this.ws.readyState !== this.ws.OPEN) return false;
    this.#queue(frame);
    return true;
  }

  sendGap(gap: Gap): void {
    this.#send({ op: 'gap', ...gap });
  }

  #send(frame: ServerFrame, ahead = false): void {
    this.#write(JSON.stringify(frame), ahead);
  }

  #sendError(error: LabError, ref?: string): void {
    this.#send(errorFrame(error, ref));
  }

  /** Sends one text frame; a Buffer is the frame's UTF-8 text, possibly shared with other sockets. */
  #write(frame: string | Buffer, ahead = false): void {
    if (this.#closed || this.ws.readyState !== this.ws.OPEN) return;
    this.#meter.bodyOut(typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length);
    this.#queue(frame, ahead);
  }

  /** Sends a frame (its bytes counted by the caller), corked for the turn; past wsMaxBufferedBytes unsent, closes 1013. */
  #queue(frame: string | Buffer, ahead = false): void {
    if (ahead) corkAheadForThisTurn(this.socket);
    else corkForThisTurn(this.socket);
    this.ws.send(frame, TEXT_FRAME);
    if (this.ws.bufferedAmount > this.context.options.wsMaxBufferedBytes) {
      // A client that stopped reading: bounded memory, then 1013 (PROTOCOL.md § Errors).
      this.#close(1013, 'slow_consumer');
    }
  }

  #close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#cleanUp();
    this.ws.close(code, reason);
    // The close frame waits behind unsent data; a peer that never reads is cut.
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  #cleanUp(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const outbox of this.#outboxes) this.#closeOutbox(outbox);
    this.#outboxes = [];
    this.admission.release();
    this.onClose();
  }
}

/** The one 'error' listener of every socket (what `ws` reports there is followed by its close). */
function ignoreError(): void {}
