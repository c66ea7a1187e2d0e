/**
 * The "seven tabs" demonstration (issue 11): seven event streams from this page
 * to its own origin, as seven tabs would open. Over HTTP/1.1 a browser keeps at
 * most six connections per origin and a stream holds its connection, so one
 * stream waits until another closes; over HTTP/2 they would all share one
 * connection. Each stream's time to its first event (`subscribed`) shows which
 * waited. While six are open, this page's own requests (counters, settings)
 * wait for a free connection too — which is the point.
 */
import { reactive } from 'vue';
import { createSession } from '../../../src/client/http.ts';
import { roomTopic } from '../../../src/protocol/index.ts';
import { LAB_ROOM } from '../../../src/lab/types.ts';

export const SEVEN = 7;

export interface SevenStream {
  /** 1-based, in the order the page opened them. */
  number: number;
  state: 'waiting' | 'streaming' | 'closed';
  /** ms from opening the stream to its first event; null while none came. */
  firstEventMs: number | null;
  /** Its first event came only after the page closed another stream. */
  waitedForClose: boolean;
}

export interface SevenStreamsState {
  streams: SevenStream[];
  /** The page's own protocol to its origin (`http/1.1`, `h2`), from Navigation Timing. */
  protocol: string;
  error: string;
}

export function createSevenStreams() {
  const state = reactive<SevenStreamsState>({ streams: [], protocol: pageProtocol(), error: '' });
  let sources: EventSource[] = [];
  let closes = 0;

  async function open(): Promise<void> {
    closeAll();
    state.error = '';
    try {
      const name = `seven-${Math.random().toString(36).slice(2, 8)}`;
      const { token } = await createSession({ baseUrl: '', headers: {}, fetch: (input, init) => fetch(input, { ...init, credentials: 'omit' }) }, name);
      const url = `/api/events?topics=${encodeURIComponent(roomTopic(LAB_ROOM))}&token=${encodeURIComponent(token)}`;
      state.streams = [];
      for (let index = 0; index < SEVEN; index++) {
        state.streams.push({ number: index + 1, state: 'waiting', firstEventMs: null, waitedForClose: false });
        const row = state.streams[index];
        const openedAt = performance.now();
        const closesBefore = closes;
        const source = new EventSource(url);
        source.addEventListener('subscribed', () => {
          if (row.firstEventMs !== null || row.state === 'closed') return;
          row.firstEventMs = Math.round(performance.now() - openedAt);
          row.waitedForClose = closes > closesBefore;
          row.state = 'streaming';
        });
        sources.push(source);
      }
    } catch (error) {
      state.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** Closes the first stream still streaming: its connection goes back to the browser's pool. */
  function closeOne(): void {
    const row = state.streams.find((stream) => stream.state === 'streaming');
    if (!row) return;
    sources[row.number - 1].close();
    row.state = 'closed';
    closes += 1;
  }

  function closeAll(): void {
    for (const source of sources) source.close();
    sources = [];
    for (const row of state.streams) row.state = 'closed';
  }

  return { state, open, closeOne, closeAll };
}

export type SevenStreams = ReturnType<typeof createSevenStreams>;

function pageProtocol(): string {
  const entry = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  return entry?.nextHopProtocol || 'unknown';
}
