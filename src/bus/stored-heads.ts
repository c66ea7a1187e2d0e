/**
 * What a networked adapter may say about a topic's last seq without asking
 * its backend: the last seq the backend reported (a read or a publish) while
 * this node's live subscription was up, raised by every message the live feed
 * passed on since. A long poll or a poll whose cursor sits exactly there has
 * nothing new to read (redis-adapter.ts `settledSeq`), so it costs the backend
 * nothing.
 *
 * Why it holds: every message stored after the subscription went live reaches
 * the feed, in seq order per topic, and the feed repairs any hole from history;
 * a head reported while live covers every message stored before. So nothing
 * is stored past the answer except copies still in flight on pub/sub — which
 * reach a held long poll live, and a short poll on its next request (its
 * cursor stays put: late, never lost).
 *
 * Everything learnt is dropped when the subscription drops (pub/sub lost what
 * was published meanwhile) or the epoch changes (seqs start again at 1); a
 * reply to a read sent before that is not learnt from (its generation passed).
 */
export class StoredHeads {
  /** topic → the highest last seq the backend reported in this generation. */
  readonly #reported = new Map<string, number>();
  #live = false;
  #generation = 0;

  /** The live subscription is up (again). */
  subscribed(): void {
    this.#live = true;
  }

  /** The live subscription dropped: pub/sub loses what is published until it is back. */
  unsubscribed(): void {
    this.#live = false;
    this.forgetAll();
  }

  /** The epoch changed (or may have): heads of the old one mean nothing. */
  forgetAll(): void {
    this.#generation += 1;
    this.#reported.clear();
  }

  /** Call as a read or publish is sent; hand the value to `reported` with its answer. */
  ticket(): number | undefined {
    return this.#live ? this.#generation : undefined;
  }

  /** The backend reported `lastSeq` for `topic` in answer to a command sent with `ticket`. */
  reported(ticket: number | undefined, topic: string, lastSeq: number): void {
    if (ticket === undefined || ticket !== this.#generation || !this.#live) return;
    const known = this.#reported.get(topic);
    if (known === undefined || lastSeq > known) this.#reported.set(topic, lastSeq);
  }

  /**
   * The topic's last seq as far as this node knows without asking, or
   * undefined. `passed`: the feed's last seq passed on for the topic (undefined
   * when it heard none); `repairing`: the feed is reading a hole of the topic.
   */
  settled(topic: string, passed: number | undefined, repairing: boolean): number | undefined {
    if (!this.#live || repairing) return undefined;
    const reported = this.#reported.get(topic);
    if (reported === undefined) return undefined;
    if (passed === undefined) return reported;
    // Below the reported head, copies are still on their way: ask.
    return passed >= reported ? passed : undefined;
  }
}
