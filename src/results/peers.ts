/** The peers part of a results file: ours against reference servers and libraries (`--scenario peers`). */
import type { TransportName } from '../protocol/index.ts';
import type { RunError } from './run-error.ts';
import type { StickinessResult } from './sticky.ts';

/** Our figure ÷ the reference's, per transport and metric (issue 5). */
export interface PeerRatio {
  transport: TransportName;
  /** e.g. "requests/s at saturation", "RSS per held request at 10k". */
  metric: string;
  /** e.g. "node:http", "ws", "socket.io". */
  reference: string;
  ours: number | null;
  theirs: number | null;
  /** null with `reason` when either side did not complete with zero loss. */
  ratio: number | null;
  reason?: string;
  /** The target (e.g. "≥ 0.7") and whether it was met. */
  target?: string;
  met?: boolean | null;
  /** true when a higher ratio is better. */
  higherIsBetter: boolean;
  /** Unit of `ours` and `theirs`: "req/s", "deliveries/s", "µs" (server CPU per operation), "bytes" (per connection), "ms". */
  unit?: string;
  /** Server CPU per operation: the headline figure of its group (throughput comes second). */
  headline?: boolean;
  /** Min and max of the per-repeat ratios; `ratio` is their median and `ours`/`theirs` the medians of each side. */
  spread?: { min: number; max: number };
  /** Whether the spread allows a verdict (issue 12): "not distinguishable" when it is at least as wide as the gap to 1. */
  verdict?: PeerVerdict;
  /** Set (and `ratio` null) when the harness or the machine was saturated during a repeat: why. */
  saturated?: string;
  /** Each interleaved repeat of the pair: both figures, their ratio and what the machine was doing. */
  repeats?: PeerRepeat[];
}

/** "one run": a single repeat has no spread, so it earns no verdict either way. */
export type PeerVerdict = 'ours ahead' | 'reference ahead' | 'not distinguishable' | 'one run';

/** What the machine and the load generator were doing while one figure was measured (issue 13). */
export interface PeerConditions {
  /** The busiest load-generator process's CPU over the window, in cores (1 = a whole core). */
  harnessCores: number | null;
  /** CPU used by anything but the measured server and its load generators, as a share of all cores. */
  otherWorkShare: number | null;
  /** Share of CPU time the hypervisor stole (/proc/stat). */
  stealShare: number | null;
  /** 1-minute load average at the end of the window. */
  loadAverage: number;
  cores: number;
}

export interface PeerRepeat {
  ours: number | null;
  theirs: number | null;
  ratio: number | null;
  oursConditions?: PeerConditions;
  theirsConditions?: PeerConditions;
  /** Why this repeat's figures do not count, when the harness or the machine was saturated. */
  saturated?: string;
}

export interface PeersResult {
  ratios: PeerRatio[];
  errors: RunError[];
  /** Interleaved repeats per ours/reference pair. */
  repeats?: number;
  /** Each contender's package and version (e.g. `faye 1.4.3`), so a ratio names what it was measured against. */
  versions?: Record<string, string>;
  /** Whether the memory runs were at the process's descriptor limit (19,000 idle / 15,000 held). */
  scale?: boolean;
  /** Which parts ran (`PEERS_PARTS`; every one when absent). */
  parts?: string[];
  /** The `sticky` part: Socket.IO polling on two nodes behind nginx, round-robin and sticky, next to ours (issue 10). */
  sticky?: StickinessResult;
}

/**
 * The parts of a peers run, each a group of figures that can run alone
 * (`--peers-parts`): so that work on one figure is measured without the rest.
 */
export const PEERS_PARTS = ['poll', 'publish', 'fanout-longpoll', 'fanout-sse', 'fanout-ws', 'held', 'idle-ws', 'idle-sse', 'sticky'] as const;
export type PeersPart = (typeof PEERS_PARTS)[number];

/** Names for several parts at once: `throughput` (requests and fan-out), `memory` (RSS per connection and the release). */
export const PEERS_PART_GROUPS: Readonly<Record<string, readonly PeersPart[]>> = Object.freeze({
  throughput: ['poll', 'publish', 'fanout-longpoll', 'fanout-sse', 'fanout-ws'],
  fanout: ['fanout-longpoll', 'fanout-sse', 'fanout-ws'],
  memory: ['held', 'idle-ws', 'idle-sse'],
});

/** Parts and group names → the parts, each once, in run order; null when a name is neither. */
export function expandPeersParts(names: readonly string[]): PeersPart[] | null {
  const wanted = new Set<string>();
  for (const name of names) {
    const group = PEERS_PART_GROUPS[name];
    if (group) group.forEach((part) => wanted.add(part));
    else if ((PEERS_PARTS as readonly string[]).includes(name)) wanted.add(name);
    else return null;
  }
  return PEERS_PARTS.filter((part) => wanted.has(part));
}
