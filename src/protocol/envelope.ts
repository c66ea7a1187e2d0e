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
 * - `restarted`: the cursor came from another epoch (the bus restarted), so
 *   whatever the old epoch held after the cursor is lost; the record is
 *   `{from: 1, to: 0}` (an empty range of the new epoch) and the client's
 *   position restarts at 0: seqs begin again at 1. New-epoch seqs that are no
 *   longer held follow as a separate `trimmed` gap;
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
