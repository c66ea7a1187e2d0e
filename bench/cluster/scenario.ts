/** The `cluster` scenario's entry in the catalogue (bench/scenarios/index.ts): its own runner, bench/cluster/part.ts. */
import type { CustomScenario } from '../scenarios/types.ts';

export const CLUSTER_DESCRIPTION =
  'The chat workload on the in-memory bus (one node), on Redis (one node) and on Redis with two nodes behind nginx ' +
  '(round-robin, not sticky): the latency the Redis hop adds, node and Redis cost per delivery, nodes needed for ' +
  '10k/100k clients, and a node SIGKILLed mid-run (reconnect time, nothing lost or twice).';

export const cluster: CustomScenario = {
  kind: 'custom',
  name: 'cluster',
  description: CLUSTER_DESCRIPTION,
  // A modest room, and no delay: the hop is a fraction of a millisecond, which a 30 ms round trip would bury.
  defaults: { clients: 30, network: { name: 'loopback', rttMs: 0 } },
};
