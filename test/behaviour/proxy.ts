import net from 'node:net';

/**
 * A TCP proxy in front of the server that can cut every connection at once:
 * what a flaky network (or a restarted load balancer) does to a client. Both
 * halves are destroyed, so each side sees its socket die mid-flight.
 */
export interface DroppingProxy {
  /** `http://127.0.0.1:<port>` — give it to a client as its baseUrl. */
  url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open right now. */
  readonly open: number;
  /** Destroys every open connection (both sides); returns how many were cut. */
  dropAll(): number;
  close(): Promise<void>;
}

export async function startDroppingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<DroppingProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(targetPort, targetHost);
    const pair = { client, upstream };
    pairs.add(pair);
    const cut = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut);
    upstream.on('error', cut);
    client.on('close', cut);
    upstream.on('close', cut);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    dropAll() {
      const count = pairs.size;
      for (const { client, upstream } of [...pairs]) {
        // resetAndDestroy sends RST: the peer sees an error, not a polite end of stream.
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
      pairs.clear();
      return count;
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
