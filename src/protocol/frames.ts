import type { ErrorCode } from './errors.ts';
import type { Gap, Message, PublishResult } from './envelope.ts';

/** PROTOCOL.md § WebSocket frames — client → server. */
export interface SubscribeFrame {
  op: 'subscribe';
  topics: string[];
  cursor?: string;
  backlog?: number;
  ref?: string;
}
export interface UnsubscribeFrame {
  op: 'unsubscribe';
  topics: string[];
  ref?: string;
}
export interface PublishFrame {
  op: 'publish';
  topic: string;
  body: string;
  id?: string;
  ref?: string;
}
export type ClientFrame = SubscribeFrame | UnsubscribeFrame | PublishFrame;

/** Server → client. */
export interface SubscribedFrame {
  op: 'subscribed';
  ref?: string;
  cursor: string;
}
export interface MessageFrame extends Message {
  op: 'message';
  /** The cursor right after this message: resume from it to miss nothing. */
  cursor: string;
}
export interface GapFrame extends Gap {
  op: 'gap';
}
export interface AckFrame extends PublishResult {
  op: 'ack';
  ref?: string;
}
export interface ErrorFrame {
  op: 'error';
  ref?: string;
  code: ErrorCode;
  message: string;
}
export type ServerFrame = SubscribedFrame | MessageFrame | GapFrame | AckFrame | ErrorFrame;

/** SSE: `event: message` carries a Message with `id: <cursor after it>`; `event: gap` a Gap. */
export type SseEventName = 'message' | 'gap';
