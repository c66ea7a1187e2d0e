/**
 * The `peers` part (issue 5) belongs to bench/peers; this only calls it. It
 * is imported lazily so that a tree without it still runs every other
 * scenario and says "peers not available" instead of crashing.
 */
import type { PeersResult, RunError } from '../../src/results/schema.ts';
import type { PeersPart } from '../../src/results/peers.ts';
import type { ContenderName } from '../peers/types.ts';

interface PeersModule {
  runPeers(options: {
    quick: boolean;
    pin: boolean;
    scale?: boolean;
    parts?: readonly string[];
    signal?: AbortSignal;
    onProgress?: (line: string) => void;
    sizes?: Record<string, number>;
  }): Promise<PeersResult & { incomplete?: boolean }>;
}

/**
 * The peers' quick sizes (3 interleaved repeats per pair), shortened once
 * more for the default run so that the whole of `npm run bench` stays under
 * five minutes on two cores: the memory runs (a fresh server each, and at
 * 1,000 clients no memory verdict anyway) run once. `--scenario peers` (with
 * or without `--quick`) runs the sizes bench/peers chose; `--peers-repeats`
 * sets every repeat count.
 */
const DEFAULT_RUN_SIZES = { httpSeconds: 1, fanoutLatencySeconds: 1, memoryRepeats: 1 };
/**
 * The plain `npm run bench` holds ours against the bare references and
 * socket.io only, so that the default run stays a few minutes; the libraries
 * people pick (socket.io polling, better-sse, Faye, SockJS) join with
 * `--scenario peers`.
 */
const DEFAULT_RUN_CONTENDERS: ContenderName[] = ['ours', 'node:http', 'ws', 'ws+cork', 'sse', 'socket.io'];

const PEERS_MODULE = '../peers/index.ts';

/** What the command line asks of the peers part (`--peers-repeats`, `--peers-scale`, `--peers-parts`). */
export interface PeersChoices {
  /** Interleaved repeats of each ours/reference pair; bench/peers' default when absent. */
  repeats?: number;
  /** The memory parts at the process's descriptor limit (19,000 idle ws/sse, 15,000 held long polls). */
  scale?: boolean;
  /** Only these parts; every part when absent. */
  parts?: PeersPart[];
}

function isPeersModule(value: unknown): value is PeersModule {
  return typeof value === 'object' && value !== null && typeof (value as { runPeers?: unknown }).runPeers === 'function';
}

export async function runPeersPart(
  size: 'full' | 'quick' | 'default-run',
  pin: boolean,
  signal: AbortSignal,
  onProgress?: (line: string) => void,
  choices: PeersChoices = {},
): Promise<{ peers?: PeersResult; errors: RunError[]; incomplete: boolean }> {
  let loaded: unknown;
  try {
    loaded = await import(PEERS_MODULE);
  } catch (error) {
    return { errors: [{ source: 'peers', message: `peers not available: ${(error as Error).message.split('\n')[0]}` }], incomplete: false };
  }
  if (!isPeersModule(loaded)) {
    return { errors: [{ source: 'peers', message: 'peers not available: bench/peers/index.ts exports no runPeers()' }], incomplete: false };
  }
  try {
    const report = await loaded.runPeers({
      ...(choices.scale ? { scale: true } : {}),
      ...(choices.parts ? { parts: choices.parts } : {}),
      quick: size !== 'full',
      pin,
      signal,
      onProgress,
      sizes: { ...(size === 'default-run' ? DEFAULT_RUN_SIZES : {}), ...(choices.repeats === undefined ? {} : { repeats: choices.repeats, memoryRepeats: choices.repeats }) },
      ...(size === 'default-run' ? { contenders: DEFAULT_RUN_CONTENDERS } : {}),
    });
    return { peers: report, errors: [], incomplete: report.incomplete === true };
  } catch (error) {
    return { errors: [{ source: 'peers', message: `peers failed: ${(error as Error).message}` }], incomplete: true };
  }
}
