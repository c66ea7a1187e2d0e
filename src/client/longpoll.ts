import { RequestLoopClient } from './receive-loop.ts';
import type { ReceiveSpec } from './receive-loop.ts';

/** Beyond the held time: how late a long poll's answer may be before we call the request lost. */
const HELD_SLACK_MS = 10_000;

/**
 * Long polling: `GET /api/longpoll` is held until there is something to say
 * or `wait` seconds pass, and is re-issued at once. The request that confirms
 * a subscribe asks `wait=0`, so that subscribe() does not hang on a quiet topic.
 */
export class LongPollClient extends RequestLoopClient {
  readonly transport = 'longpoll';
  protected readonly spec: ReceiveSpec = {
    path: '/api/longpoll',
    query: (first) => ({ wait: first ? 0 : this.options.longPollWaitSeconds }),
    timeoutMs: () => this.options.longPollWaitSeconds * 1000 + HELD_SLACK_MS,
    pauseMs: () => 0,
  };
}
