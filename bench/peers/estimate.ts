/**
 * How long a full-size `peers` run takes, part by part, for the bench's
 * "about N s" and its progress bar (the ETA then corrects itself by the pace
 * the run really keeps: bench/cli/eta.ts). Seconds per part at the default
 * three interleaved repeats, from runs on the project's 2-core machine
 * (2026-11-30: all parts in 16 min, quiet; the parts' shares from single-part
 * runs under load, scaled to that total). A figure's repeats are where the time goes, so the parts scale
 * with `--peers-repeats`; the sticky part runs once.
 */
import type { PeersPart } from '../../src/results/peers.ts';
import { PEERS_PARTS } from '../../src/results/peers.ts';

const SECONDS_AT_THREE_REPEATS: Readonly<Record<PeersPart, number>> = {
  poll: 37,
  publish: 37,
  'fanout-longpoll': 172,
  'fanout-sse': 185,
  'fanout-ws': 172,
  held: 163,
  'idle-ws': 105,
  'idle-sse': 62,
  sticky: 31,
};
/** At the descriptor limit (`--peers-scale limit`) the memory parts hold about twice the connections. */
const SCALE_FACTOR = 2;
const MEMORY_PARTS: readonly PeersPart[] = ['held', 'idle-ws', 'idle-sse'];
const DEFAULT_REPEATS = 3;

export function peersFullSeconds(parts: readonly PeersPart[] = PEERS_PARTS, repeats = DEFAULT_REPEATS, scale = false): number {
  return parts.reduce((sum, part) => {
    const seconds = SECONDS_AT_THREE_REPEATS[part] * (scale && MEMORY_PARTS.includes(part) ? SCALE_FACTOR : 1);
    return sum + (part === 'sticky' ? seconds : (seconds * repeats) / DEFAULT_REPEATS);
  }, 0);
}
