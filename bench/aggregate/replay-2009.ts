/**
 * The 2009 replay's figures (results `replay2009`): a poll's header bytes as
 * the article counted them (HTTP/1.1) or after HPACK (HTTP/2), and the
 * article's projection of them — one poll a second per client, for 1,000 /
 * 10,000 / 100,000 clients. Pure math, tested with known values.
 */
import type { Replay2009Figures } from '../../src/results/schema.ts';
import type { H2Counters } from '../run/ipc.ts';
import { projectBandwidth } from './projection.ts';
import { ratio } from './stats.ts';

/** The article's rate: "polling once a second" (its table's premise). */
export const REPLAY_POLLS_PER_SECOND = 1;

export interface ReplayCounts {
  requests: number;
  /** Head bytes of those requests, both directions, as counted on the wire (HTTP/1.1: line ends included; h2: all that is not body). */
  headBytes: number;
  /** Line-end bytes inside `headBytes` (HTTP/1.1; 0 over h2). */
  lineEnds: number;
  /** The clients' h2 counters (`--http 2`): their first/rest HEADERS samples are the HPACK figures. */
  h2?: H2Counters;
}

export function replay2009Figures({ requests, headBytes, lineEnds, h2 }: ReplayCounts): Replay2009Figures {
  const wireBytesPerRequest = ratio(headBytes, requests);
  if (h2) {
    const first = ratio(h2.first.up + h2.first.down, h2.first.requests);
    const steady = ratio(h2.rest.up + h2.rest.down, h2.rest.requests);
    return { basis: 'hpack', firstBytesPerRequest: first, steadyBytesPerRequest: steady, wireBytesPerRequest, projection: projectBandwidth(steady * REPLAY_POLLS_PER_SECOND) };
  }
  // HTTP/1.1 sends the same head every time: no first/steady difference to draw.
  const asCounted = ratio(headBytes - lineEnds, requests);
  return {
    basis: 'article',
    firstBytesPerRequest: asCounted,
    steadyBytesPerRequest: asCounted,
    wireBytesPerRequest,
    projection: projectBandwidth(asCounted * REPLAY_POLLS_PER_SECOND),
  };
}
