import type { Gap, Message } from '../protocol/index.ts';

/**
 * Per topic, the last seq handed to the application: what makes "nothing
 * twice" hold on the client even when a transport replays (a reconnect from
 * an older cursor, an aborted long poll whose answer was already on its way).
 * It also notices a hole the server did not announce and reports it as a gap,
 * so that nothing is ever skipped in silence.
 */
export type MessageVerdict =
  | { deliver: true; gap?: Gap }
  | { deliver: false };

export class TopicPositions {
  private readonly positions = new Map<string, number>();

  /** Last seq delivered for `topic`, or undefined before the first one. */
  position(topic: string): number | undefined {
    return this.positions.get(topic);
  }

  /** Whether `message` is new; a jump past position + 1 carries the missing range. */
  acceptMessage(message: Message): MessageVerdict {
    const last = this.positions.get(message.topic);
    if (last !== undefined && message.seq <= last) return { deliver: false };
    this.positions.set(message.topic, message.seq);
    if (last !== undefined && message.seq > last + 1) {
      return { deliver: true, gap: { topic: message.topic, from: last + 1, to: message.seq - 1 } };
    }
    return { deliver: true };
  }

  /**
   * Whether `gap` is news. A trimmed gap already covered (seen before a
   * reconnect that replayed it) is not; `restarted` and `unknown` gaps move
   * the position back to `from - 1`, where the server's delivery resumes
   * (src/bus/bus.ts `start`).
   */
  acceptGap(gap: Gap): boolean {
    const last = this.positions.get(gap.topic);
    if (gap.reason === 'restarted' || gap.reason === 'unknown') {
      this.positions.set(gap.topic, gap.from - 1);
      return true;
    }
    if (last !== undefined && gap.to <= last) return false;
    this.positions.set(gap.topic, Math.max(gap.to, last ?? 0));
    return true;
  }
}
