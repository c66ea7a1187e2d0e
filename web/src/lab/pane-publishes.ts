/**
 * Publishes the lab page asks a pane to make over its own connection ("send
 * over the ws pane's socket", so the pane's client → server frame, mask key
 * and all, shows in the wire inspector). The pane answers each with a
 * `pane-sent` event; one that does not answer within the timeout, or a page
 * that closes first, fails the send instead of leaving it pending.
 */
import type { PaneCommand } from './pane-messages.ts';

/** How long a pane gets to answer a publish command before the send counts as failed. */
const PANE_SEND_TIMEOUT_MS = 10_000;

export class PanePublishes {
  /** Commands sent and not yet answered, by message id. */
  readonly #pending = new Map<string, (error: string | null) => void>();

  /** Asks the pane in `target` (at `origin`, load `instance`) to publish `body` as message `id`. */
  ask(target: Window, origin: string, instance: number, id: string, body: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done('the pane did not answer'), PANE_SEND_TIMEOUT_MS);
      const done = (error: string | null): void => {
        clearTimeout(timer);
        this.#pending.delete(id);
        if (error === null) resolve();
        else reject(new Error(error));
      };
      this.#pending.set(id, done);
      const command: PaneCommand = { kind: 'pane-publish', instance, id, body };
      target.postMessage(command, origin);
    });
  }

  /** The pane's answer: `error` null when the server took the message. */
  answered(id: string, error: string | null): void {
    this.#pending.get(id)?.(error);
  }

  /** The page closes: every send still waiting fails. */
  failAll(reason: string): void {
    for (const settle of [...this.#pending.values()]) settle(reason);
  }
}
