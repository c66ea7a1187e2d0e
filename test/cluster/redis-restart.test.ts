import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/client/index.ts';
import { TRANSPORT_NAMES, type TransportName } from '../../src/protocol/index.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { ClientPool, eventually, range, type Recorder } from '../behaviour/harness.ts';
import { NGINX_MISSING, startInProcessCluster, type InProcessCluster } from './harness.ts';

/**
 * Redis restarted without its data under two nodes behind nginx: the history
 * and its epoch are gone, which is a gap, and every client is told so — an
 * explicit `restarted` gap on every transport — and goes on receiving. Redis
 * paused (SIGSTOP) for a few seconds: nothing acknowledged is lost. A private
 * redis-server, so the machine's is never touched.
 */

/** Publishes with a fixed id until acknowledged (Redis may be coming back). */
async function publishSurely(client: Client, topic: string, body: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await client.publish(topic, body, `id-${body}`);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe.skipIf(NGINX_MISSING)(`Redis lost or paused under the cluster${NGINX_MISSING ? ` — skipped: ${NGINX_MISSING}` : ''}`, () => {
  let redis: OwnRedis;
  let cluster: InProcessCluster;
  const pools = new Map<TransportName, ClientPool>(TRANSPORT_NAMES.map((t) => [t, new ClientPool(t)]));

  beforeAll(async () => {
    redis = await OwnRedis.start();
    cluster = await startInProcessCluster(redis.url, 2);
  });
  afterAll(async () => {
    await Promise.all([...pools.values()].map((pool) => pool.closeAll()));
    await cluster?.close();
    redis?.kill();
  }, 30_000);

  async function readers(topic: string): Promise<Recorder[]> {
    return Promise.all(TRANSPORT_NAMES.map((t) => pools.get(t)!.join(cluster.url, 'reader', [topic])));
  }

  it('restarted without its data: every client gets a restarted gap, then the new messages', async () => {
    const topic = 'room:redis-restart';
    const members = await readers(topic);
    const writer = await pools.get('poll')!.join(cluster.url, 'writer');
    for (const i of range(1, 5)) await publishSurely(writer.client, topic, `m${i}`);
    for (const member of members) await eventually(() => member.of(topic).length >= 5, `${member.client.transport} before the restart`);

    await redis.restart();
    // The writer's session was held in the lost Redis too: a new one, then the message.
    const after = await pools.get('poll')!.join(cluster.url, 'writer-after');
    await publishSurely(after.client, topic, 'after');
    // One wait for all, so that a failure shows what each transport got.
    const seen = (): Record<string, string> => Object.fromEntries(members.map((member) =>
      [member.client.transport, `${member.bodies(topic).join(',')} gaps ${JSON.stringify(member.gaps.map((gap) => gap.reason))}`]));
    await eventually(seen, (got) => Object.values(got).every((line) => line.includes('after')), 20_000);
    for (const member of members) {
      const transport = member.client.transport;
      expect({ transport, bodies: member.bodies(topic) }).toEqual({ transport, bodies: ['m1', 'm2', 'm3', 'm4', 'm5', 'after'] });
      expect({ transport, reasons: member.gaps.map((gap) => gap.reason) }).toEqual({ transport, reasons: ['restarted'] });
    }
  }, 60_000);

  it('paused for a few seconds: every acknowledged message arrives, once, in order', async () => {
    const topic = 'room:redis-pause';
    const members = await readers(topic);
    const writer = await pools.get('poll')!.join(cluster.url, 'writer');
    const acknowledged: string[] = [];
    let refused = 0;
    const publishing = (async () => {
      for (const i of range(1, 30)) {
        await writer.client.publish(topic, `p${i}`, `id-p${i}`).then(() => acknowledged.push(`p${i}`), () => (refused += 1));
        // Pacing of the writer, not a wait for anything.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await eventually(() => acknowledged.length >= 5, 'five acknowledged before the pause');
    redis.pause();
    // Paused until a publish has been refused: the nodes' commands timed out (redisCommandTimeoutMs, 2 s).
    await eventually(() => refused >= 1, 'a publish refused while Redis is paused', 10_000);
    redis.resume();
    await publishing;
    await publishSurely(writer.client, topic, 'last');
    for (const member of members) {
      await eventually(() => member.bodies(topic).includes('last'), `${member.client.transport} after the pause`, 20_000);
    }
    for (const member of members) {
      const transport = member.client.transport;
      const bodies = member.bodies(topic);
      // Nothing acknowledged is missing; nothing arrives twice; seqs have no hole and no gap is reported.
      expect({ transport, missing: acknowledged.filter((body) => !bodies.includes(body)) }).toEqual({ transport, missing: [] });
      expect({ transport, twice: bodies.length - new Set(bodies).size }).toEqual({ transport, twice: 0 });
      const seqs = member.seqs(topic);
      expect({ transport, seqs }).toEqual({ transport, seqs: range(1, seqs.length) });
      expect({ transport, gaps: member.gaps }).toEqual({ transport, gaps: [] });
    }
  }, 60_000);
});
