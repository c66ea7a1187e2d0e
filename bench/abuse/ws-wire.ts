/**
 * The attacker's WebSocket: opened with a session's token from a chosen
 * loopback address, and the answers to a flood of frames counted as they come.
 */
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { ATTACKER_ADDRESS, tally, type Credentials } from './wire.ts';

/** A WebSocket to `/ws` as `credentials`, open once the upgrade is done. */
export async function openWebSocket(url: string, credentials: Credentials, from = ATTACKER_ADDRESS): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?token=${encodeURIComponent(credentials.token)}`, { localAddress: from });
  await once(ws, 'open');
  return ws;
}

export interface FloodAnswers {
  /** Frames of the flood answered so far. */
  answered: number;
  /** Answers whose op is the yes (e.g. `ack`, `subscribed`). */
  accepted: number;
  /** The other answers' error codes, by count. */
  refusals: Record<string, number>;
  /** The close code when the server closed the socket first; 0 when it did not. */
  closeCode: number;
}

export interface FloodOptions {
  /** The flood's frames carry refs that start with this (other frames are not answers). */
  refPrefix: string;
  /** How many frames the flood sends. */
  expected: number;
  /** The op of an answer that says yes. */
  acceptedOp: string;
  /** All answers must be in by then: a stalled server is a finding, not a hang. */
  limitMs: number;
  /** Runs after each answer but the last, with the count so far (e.g. to keep a window of frames in flight). */
  onAnswer?: (answers: FloodAnswers) => void;
}

/**
 * Counts the answers to a flood sent on `ws` after this call, until all are
 * in, the server closes the socket, or the limit passes; then stops listening.
 */
export function countAnswers(ws: WebSocket, options: FloodOptions): Promise<FloodAnswers> {
  const answers: FloodAnswers = { answered: 0, accepted: 0, refusals: {}, closeCode: 0 };
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(answers);
    };
    const timer = setTimeout(finish, options.limitMs);
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = JSON.parse(data.toString()) as { op: string; code?: string; ref?: string };
      if (!frame.ref?.startsWith(options.refPrefix)) return;
      answers.answered += 1;
      if (frame.op === options.acceptedOp) answers.accepted += 1;
      else tally(answers.refusals, frame.code);
      if (answers.answered === options.expected) finish();
      else options.onAnswer?.(answers);
    };
    const onClose = (code: number): void => {
      answers.closeCode = code;
      finish();
    };
    ws.on('message', onMessage);
    ws.on('close', onClose);
  });
}
