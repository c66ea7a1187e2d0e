import type { MessageBus, Positions } from '../bus/types.ts';
import type { Gap, Message } from '../protocol/index.ts';
import { Outbox } from './outbox.ts';
import type { WireMeter } from './types.ts';
import { soleTopicFrame } from './ws-message-frames.ts';

/** A WebSocket as its room sees it (WsPeer). */
export interface RoomSocket {
  /**
   * Queues a message frame shared with the rest of the room. True when it was
   * sent (then counted by the room), false when the socket is going.
   */
  writeShared(frame: Buffer): boolean;
  /** Sends a gap frame, counted by the socket itself. */
  sendGap(gap: Gap): void;
}

/**
 * The WebSocket rooms of one transport, one per topic (issue 12: ws fan-out
 * against raw `ws`). A socket that follows one topic alone and is live —
 * caught up, nothing buffered — gives its own outbox up for a seat in its
 * topic's room: the room is one bus subscription and one Outbox for all of
 * them, so a publish is ordered once, its frame (envelope and the one cursor
 * every such socket has after it) made once, and the same Buffer written to
 * every socket; deliveries and body bytes are counted once per message for
 * the whole room. Everything else — replays, several topics, sockets that
 * negotiated permessage-deflate (their bytes are counted per socket, as
 * compressed) — keeps an outbox per socket (ws-peer.ts).
 */
export class WsRooms {
  readonly #rooms = new Map<string, WsRoom>();

  constructor(
    readonly bus: MessageBus,
    readonly meter: WireMeter,
    /** Messages per read when a room repairs a hole in the live seqs (as a socket's own outbox would). */
    readonly repairLimit: number,
  ) {}

  /**
   * A seat for `socket` in `topic`'s room, if the room stands where the socket
   * does. The caller's own outbox must be live at `position` (everything the
   * bus dispatched so far applied, nothing buffered) and be closed in this
   * same turn: then nothing can come between the two. A room that stands
   * elsewhere (repairing, or a live feed that lags a catch-up) gives no seat;
   * the socket keeps its outbox and may ask again later.
   */
  seat(socket: RoomSocket, topic: string, position: number): RoomSeat | undefined {
    let room = this.#rooms.get(topic);
    if (room === undefined) {
      room = new WsRoom(this, topic, position);
      this.#rooms.set(topic, room);
    } else if (!room.live || room.position !== position) {
      return undefined;
    }
    room.add(socket);
    return new RoomSeat(room, socket);
  }

  /** An empty room takes no one else (the next socket on its topic makes a new one). */
  forget(room: WsRoom): void {
    if (this.#rooms.get(room.topic) === room) this.#rooms.delete(room.topic);
  }

  /** Rooms open now (tests, stats). */
  get size(): number {
    return this.#rooms.size;
  }
}

/**
 * A socket's place in a room, standing in for its outbox (the same `topics`,
 * `positions`, `closed` and `close()`): its position is the room's, which is
 * what every seat has been sent.
 */
export class RoomSeat {
  readonly topics: string[];
  #closed = false;

  constructor(private readonly room: WsRoom, private readonly socket: RoomSocket) {
    this.topics = [room.topic];
  }

  /** The room's positions: read them, never change them. */
  get positions(): Positions {
    return this.room.positions;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.room.leave(this.socket);
  }
}

class WsRoom {
  readonly #members = new Set<RoomSocket>();
  readonly #outbox: Outbox;

  constructor(
    private readonly rooms: WsRooms,
    readonly topic: string,
    position: number,
  ) {
    this.#outbox = new Outbox(rooms.bus, [topic], {
      message: (message, json) => this.#deliver(message, json),
      gap: (gap) => this.#gap(gap),
    });
    this.#outbox.startLive({ [topic]: position }, rooms.repairLimit);
  }

  get positions(): Positions {
    return this.#outbox.positions;
  }

  get position(): number {
    return this.#outbox.positions[this.topic] ?? 0;
  }

  /** False while the room's outbox repairs a hole: a socket at the live head cannot join it then. */
  get live(): boolean {
    return this.#outbox.live;
  }

  add(socket: RoomSocket): void {
    this.#members.add(socket);
  }

  leave(socket: RoomSocket): void {
    if (!this.#members.delete(socket) || this.#members.size > 0) return;
    this.#outbox.close();
    this.rooms.forget(this);
  }

  /** One frame for every member, counted once: `delivered` and body bytes for the sockets it was written to. */
  #deliver(message: Message, json: string): void {
    const frame = soleTopicFrame(this.rooms.bus, message, json, this.#outbox.positions);
    let written = 0;
    // A member closed as a slow consumer leaves the Set as it is iterated: a Set allows that.
    for (const member of this.#members) if (member.writeShared(frame)) written += 1;
    if (written === 0) return;
    const meter = this.rooms.meter;
    meter.delivered(written);
    meter.bodyOut(written * frame.length);
  }

  #gap(gap: Gap): void {
    for (const member of [...this.#members]) member.sendGap(gap);
  }
}
