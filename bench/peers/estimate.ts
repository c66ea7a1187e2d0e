/**
 * How long a full-size `peers` run takes, part by part, for the bench's
 * "about N s" and its progress bar (the ETA then corrects itself by the pace
 * the run really keeps: bench/cli/eta.ts). Seconds per part at the default
 * three interleaved repeats, from full runs on the project's 2-core machine
 * (2026-11-30: all parts 26 min, quiet; single parts under load, scaled to
 * that total). A figure's repeats are where the time goes, so the parts scale
 * with `--peers-repeats`; the sticky part runs once.
 */
import type { PeersPart } from '../../src/results/peers.ts';
import { PEERS_PARTS } from '../../src/results/peers.ts';

const SECONDS_AT_THREE_REPEATS: Readonly<Record<PeersPart, number>> = {
  poll: 60,
  publish: 60,
  'fanout-longpoll': 280,
  'fanout-sse': 300,
  'fanout-ws': 280,
  held: 265,
  'idle-ws': 170,
  'idle-sse': 100,
  sticky: 50,
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
