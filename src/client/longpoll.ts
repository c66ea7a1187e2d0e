import { RequestLoopClient } from './receive-loop.ts';
import type { ReceiveSpec } from './receive-loop.ts';

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
    // A held request answers by its wait at the latest; later than wait + slack, the connection is gone.
    timeoutMs: (first) => (first ? this.options.requestTimeoutMs : this.options.longPollWaitSeconds * 1000 + this.options.longPollSlackMs),
    pauseMs: () => 0,
  };
}
