import { RequestLoopClient } from './receive-loop.ts';
import type { ReceiveSpec } from './receive-loop.ts';

/**
 * Short polling: `GET /api/poll` answers at once, even when empty, and the
 * client asks again every `pollIntervalMs` (at once when the answer says `more`).
 * With `conditional: true` the cursor goes as `If-None-Match` and an answer of
 * `304 Not Modified` (headers only) means nothing is new.
 */
export class PollClient extends RequestLoopClient {
  readonly transport = 'poll';
  protected readonly spec: ReceiveSpec = {
    path: '/api/poll',
    query: () => ({}),
    timeoutMs: () => 30_000,
    pauseMs: () => this.options.pollIntervalMs,
    conditional: () => this.options.conditional,
  };
}
