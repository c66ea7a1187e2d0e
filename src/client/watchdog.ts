/**
 * Notices a connection that stopped delivering. A NAT or proxy that forgets
 * an idle connection sends no FIN and no RST: the socket stays open and
 * simply goes quiet, and only a timeout can tell (issue 11 item 4). Every
 * sign of life calls `feed()`; after `timeoutMs` without one, `onSilent`
 * runs once.
 *
 * One timer per watchdog, re-armed lazily: feeding only records the time, so
 * a stream of many small chunks costs no timer churn.
 */
export class Watchdog {
  private lastFedAt = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly onSilent: (silentForMs: number) => void,
  ) {
    this.arm(timeoutMs);
  }

  feed(): void {
    this.lastFedAt = Date.now();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.check(), ms);
  }

  private check(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const silentFor = Date.now() - this.lastFedAt;
    if (silentFor < this.timeoutMs) {
      this.arm(this.timeoutMs - silentFor);
      return;
    }
    this.stopped = true;
    this.onSilent(silentFor);
  }
}
