import { MemoryAdapter } from '../../src/bus/index.ts';
import { ADAPTER_CASES, runAdapterSuite } from './adapter-suite.ts';

runAdapterSuite({
  name: 'memory',
  newBackend: async () => ({
    // Each adapter is a process of its own: nothing is shared, and a new one is a new epoch.
    shared: false,
    newAdapter: (options) => new MemoryAdapter(options),
    loseData: async () => {},
    dispose: async () => {},
  }),
  skip: {
    [ADAPTER_CASES.nodes]: 'one process is the only node: a second MemoryAdapter shares nothing with the first',
  },
});
