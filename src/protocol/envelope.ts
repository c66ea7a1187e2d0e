/**
 * The wire types of PROTOCOL.md. The server, the clients, the bench and the
 * web app import them; nobody restates them.
 */

/** A stored message, as every transport delivers it. */
export interface Message {
  topic: string;
  /** Per topic: 1, 2, 3, … with no holes. */
  seq: number;
  /** The publisher's idempotency key, or one the server made. */
  id: string;
  /** Set by the server from the session's token; never by a client. */
  from: string;
  body: string;
  /** The server's clock when it stored the message, ms since the epoch. */
  ts: number;
}

/**
 * Why a gap happened:
 * - `trimmed`: the history no longer holds seqs `from`..`to`;
 * - `restarted`: the cursor came from another epoch (the bus restarted); the
 *   client's position for the topic restarts at 0 in the new epoch, and
 *   `from`..`to` are the new epoch's seqs that are no longer held (the range is
 *   empty, `to` = `from` - 1, when the new history is whole);
 * - `unknown`: the cursor claimed seqs the topic never had; delivery resumes
 *   after the topic's real last seq.
 */
export type GapReason = 'trimmed' | 'restarted' | 'unknown';

/** The seqs `from`..`to` (inclusive) of `topic` that can no longer be delivered. */
export interface Gap {
  topic: string;
  from: number;
  to: number;
  reason?: GapReason;
}

/** Response of GET /api/poll and GET /api/longpoll. */
export interface PollResponse {
  messages: Message[];
  gaps: Gap[];
  cursor: string;
  more: boolean;
}

/** Body of POST /api/messages. */
export interface PublishRequest {
  topic: string;
  body: string;
  id?: string;
}

/** Answer to a publish (HTTP 201 body; the WebSocket `ack` frame adds op and ref). */
export interface PublishResult {
  topic: string;
  seq: number;
  id: string;
  ts: number;
}

/** Body of POST /api/session and its 201 answer. */
export interface SessionRequest {
  name: string;
}
export interface SessionResponse {
  name: string;
  token: string;
}
