/**
 * Wire bytes: the clients' count next to the server's, and what one delivery
 * costs. The two counts must agree; the difference is reported, not hidden.
 */
import type { ByteSplit, PerClientPerSecond, PerDelivery, WireDirection } from '../../src/results/schema.ts';
import { ratio } from './stats.ts';

export function zeroSplit(): ByteSplit {
  return { headers: 0, framing: 0, bodies: 0 };
}

export function addSplits(...splits: ByteSplit[]): ByteSplit {
  const sum = zeroSplit();
  for (const split of splits) {
    sum.headers += split.headers;
    sum.framing += split.framing;
    sum.bodies += split.bodies;
  }
  return sum;
}

/** `after − before`, per part: the server's counters over a run from two `/api/stats` snapshots. */
export function subtractSplits(after: ByteSplit, before: ByteSplit): ByteSplit {
  return {
    headers: after.headers - before.headers,
    framing: after.framing - before.framing,
    bodies: after.bodies - before.bodies,
  };
}

export function splitTotal(split: ByteSplit): number {
  return split.headers + split.framing + split.bodies;
}

export function wireDirection(client: ByteSplit, server: ByteSplit): WireDirection {
  const difference = subtractSplits(client, server);
  const clientTotal = splitTotal(client);
  const relativeDifference = clientTotal === 0 && splitTotal(server) === 0
    ? 0
    : Math.abs(splitTotal(difference)) / Math.max(clientTotal, 1);
  return { client, server, difference, relativeDifference };
}

/** What one delivered message cost, on the clients' sockets, both directions. */
export function perDelivery(requests: number, up: ByteSplit, down: ByteSplit, delivered: number): PerDelivery {
  const both = addSplits(up, down);
  return {
    requests: ratio(requests, delivered),
    headers: ratio(both.headers, delivered),
    framing: ratio(both.framing, delivered),
    bodies: ratio(both.bodies, delivered),
    total: ratio(splitTotal(both), delivered),
  };
}

/** What one client cost per second of the run, on the clients' sockets, both directions. */
export function perClientPerSecond(
  requests: number, up: ByteSplit, down: ByteSplit, clients: number, seconds: number,
): PerClientPerSecond {
  const both = addSplits(up, down);
  const clientSeconds = clients * seconds;
  return {
    requests: ratio(requests, clientSeconds),
    headers: ratio(both.headers, clientSeconds),
    framing: ratio(both.framing, clientSeconds),
    bodies: ratio(both.bodies, clientSeconds),
    total: ratio(splitTotal(both), clientSeconds),
  };
}
