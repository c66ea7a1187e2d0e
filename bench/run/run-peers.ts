/**
 * The `peers` part (issue 5) belongs to bench/peers; this only calls it. It
 * is imported lazily so that a tree without it still runs every other
 * scenario and says "peers not available" instead of crashing.
 */
import type { PeersResult, RunError } from '../../src/results/schema.ts';

interface PeersModule {
  runPeers(options: {
    quick: boolean;
    pin: boolean;
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

const PEERS_MODULE = '../peers/index.ts';

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
      quick: size !== 'full',
      pin,
      signal,
      onProgress,
      sizes: { ...(size === 'default-run' ? DEFAULT_RUN_SIZES : {}), ...(repeats === undefined ? {} : { repeats, memoryRepeats: repeats }) },
    });
    return { peers: report, errors: [], incomplete: report.incomplete === true };
  } catch (error) {
    return { errors: [{ source: 'peers', message: `peers failed: ${(error as Error).message}` }], incomplete: true };
  }
}
