/**
 * The `peers` part (issue 5) belongs to bench/peers; this only calls it. It
 * is imported lazily so that a tree without it still runs every other
 * scenario and says "peers not available" instead of crashing.
 */
import type { PeersResult, RunError } from '../../src/results/schema.ts';
import { PEERS_PARTS, type ContenderName, type PeersPart } from '../peers/types.ts';

interface PeersModule {
  runPeers(options: {
    quick: boolean;
    pin: boolean;
    scale?: boolean;
    parts?: PeersPart[];
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

/**
 * Issue 12 item 3 without a new CLI flag (bench/cli is another part's):
 * `PEERS_SCALE=limit` runs the memory figures at the process's descriptor
 * limit (19,000 idle ws/sse, 15,000 held long polls), `PEERS_PARTS=memory`
 * (or `throughput`, or `sticky`, comma-separated) runs only those parts. Anything else is an error, not a
 * silent default.
 */
export function peersEnvironment(env: NodeJS.ProcessEnv): { scale?: boolean; parts?: PeersPart[] } {
  const options: { scale?: boolean; parts?: PeersPart[] } = {};
  const scale = env.PEERS_SCALE;
  if (scale !== undefined && scale !== '') {
    if (scale !== 'limit') throw new Error(`PEERS_SCALE must be "limit", got "${scale}"`);
    options.scale = true;
  }
  const parts = env.PEERS_PARTS;
  if (parts !== undefined && parts !== '') {
    const list = parts.split(',').map((part) => part.trim());
    const wrong = list.find((part) => !(PEERS_PARTS as readonly string[]).includes(part));
    if (wrong !== undefined) throw new Error(`PEERS_PARTS must be a comma-separated list of ${PEERS_PARTS.join(', ')}, got "${parts}"`);
    options.parts = list as PeersPart[];
  }
  return options;
}

function isPeersModule(value: unknown): value is PeersModule {
  return typeof value === 'object' && value !== null && typeof (value as { runPeers?: unknown }).runPeers === 'function';
}

export async function runPeersPart(
  size: 'full' | 'quick' | 'default-run',
  pin: boolean,
  signal: AbortSignal,
  onProgress?: (line: string) => void,
  /** `--peers-repeats`: interleaved repeats of each ours/reference pair; bench/peers' default when absent. */
  repeats?: number,
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
      ...peersEnvironment(process.env),
      quick: size !== 'full',
      pin,
      signal,
      onProgress,
      sizes: { ...(size === 'default-run' ? DEFAULT_RUN_SIZES : {}), ...(repeats === undefined ? {} : { repeats, memoryRepeats: repeats }) },
      ...(size === 'default-run' ? { contenders: DEFAULT_RUN_CONTENDERS } : {}),
    });
    return { peers: report, errors: [], incomplete: report.incomplete === true };
  } catch (error) {
    return { errors: [{ source: 'peers', message: `peers failed: ${(error as Error).message}` }], incomplete: true };
  }
}
