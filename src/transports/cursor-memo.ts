import type { MessageBus, Positions } from '../bus/types.ts';

/**
 * The last cursor made, and the positions and epoch it was made of. When one
 * publish releases thousands of long polls that sat at the same positions,
 * they all answer with the same cursor: it is built once and every answer gets
 * the same string (which also makes the shared body's cursor check a pointer
 * comparison), rather than one concatenation per waiter (issue 12).
 */
export class CursorMemo {
  #epoch = '';
  /** topic, seq, topic, seq… in the order the positions list them. */
  #entries: (string | number)[] = [];
  #cursor: string | undefined;

  constructor(private readonly bus: MessageBus) {}

  of(positions: Positions): string {
    const epoch = this.bus.epoch;
    if (this.#cursor !== undefined && epoch === this.#epoch && this.#matches(positions)) return this.#cursor;
    const entries: (string | number)[] = [];
    for (const topic in positions) entries.push(topic, positions[topic] as number);
    this.#epoch = epoch;
    this.#entries = entries;
    this.#cursor = this.bus.encodeCursor(positions);
    return this.#cursor;
  }

  #matches(positions: Positions): boolean {
    const entries = this.#entries;
    let i = 0;
    for (const topic in positions) {
      if (entries[i] !== topic || entries[i + 1] !== positions[topic]) return false;
      i += 2;
    }
    return i === entries.length;
  }
}
