/**
 * "Two nodes behind nginx: who needs sticky sessions" — the peers' `sticky`
 * part (issue 10): Socket.IO polling round-robin and sticky, and our long poll
 * round-robin, on the same cluster with the same clients. Pure: figures are
 * read from the results, not recomputed.
 */
import type { BenchResults, RunError, StickinessRun } from '../../src/results/schema.ts';
import { formatNumber } from './format.ts';
import type { Table } from './tables.ts';

const CONTENDER_LABELS: Record<string, string> = { 'socket.io-polling': 'Socket.IO polling', ours: 'ours: long poll' };

function count(value: number): string {
  return formatNumber(value, 0);
}

function row(run: StickinessRun): string[] {
  const who = CONTENDER_LABELS[run.contender] ?? run.contender;
  if (run.error !== undefined) return [who, run.balancing, `did not run: ${run.error}`, '', '', '', '', '', '', ''];
  return [
    who,
    run.balancing,
    `${count(run.clientsWithMessage)} of ${count(run.clients)}`,
    `${count(run.delivered)} / ${count(run.expectedDeliveries)}`,
    count(run.lost),
    count(run.duplicates),
    count(run.sessionIdUnknown),
    `${count(run.failedRequests)} / ${count(run.requests)}`,
    count(run.reconnects),
    count(run.nodesAnswering),
  ];
}

export function stickinessTable(results: BenchResults): Table | null {
  const sticky = results.peers?.sticky;
  if (!sticky || sticky.runs.length === 0) return null;
  const c = sticky.config;
  const versions = Object.values(sticky.versions).join(', ');
  return {
    caption: `${c.nodes} nodes on Redis behind nginx, ${c.clients} long-polling clients (each from a loopback address of its own), ` +
      `${c.ratePerSecond} publishes/s for ${c.publishSeconds} s through nginx. Socket.IO polling (${versions}) keeps each session in one node's memory: ` +
      'round-robin sends a request to the node that does not hold it, answered 400 "Session ID unknown", and the client starts over ' +
      `(socket.io-client's backoff, ${c.reconnectDelayMs}–${c.reconnectDelayMaxMs} ms), missing what was published meanwhile. ` +
      `Sticky: nginx's \`${c.stickyDirective}\` (the commented variant in deploy/nginx/transport-lab.conf.template). ` +
      'Ours needs none: the session is a signed token any node verifies, the position a cursor. "lost": acknowledged publishes a client never received.',
    head: ['contender', 'nginx', 'clients with a message', 'delivered / expected', 'lost', 'duplicates', '"Session ID unknown"', 'failed / requests', 'restarts', 'nodes answering'],
    rows: sticky.runs.map(row),
  };
}

/** The sticky part's errors, for the report's error list. */
export function stickinessErrors(results: BenchResults): RunError[] {
  return results.peers?.sticky?.errors ?? [];
}
