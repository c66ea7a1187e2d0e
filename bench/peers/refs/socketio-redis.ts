/**
 * socket.io on several nodes (issue 10, the peer that needs stickiness): the
 * `--redis <url>` option of refs/socketio.ts puts the server on
 * @socket.io/redis-streams-adapter, so a broadcast on one node reaches the
 * sockets of every node (each node `XREAD`s one stream). What it does not
 * share is engine.io's session: a polling client's `sid` lives in the memory
 * of the node that made it, and a request that lands on another node is
 * answered 400 "Session ID unknown" — measured by bench/peers/sticky.
 *
 * `--redis-prefix <p>` prefixes the stream and the pub/sub channels, so that a
 * run's keys are its own on a shared Redis and deleted with it.
 */
import type { Server } from 'socket.io';

export interface RedisPeerArgs {
  url: string;
  prefix: string;
}

/** `--redis` and `--redis-prefix` from the command line; null without `--redis`. */
export function parseRedisArgs(argv: string[]): RedisPeerArgs | null {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at === -1 ? undefined : argv[at + 1];
  };
  const url = value('--redis');
  if (url === undefined) return null;
  if (!/^redis:\/\/./.test(url)) throw new Error(`option redis must be redis://host:port, got "${url}"`);
  return { url, prefix: value('--redis-prefix') ?? '' };
}

/** Puts `io` on the Redis streams adapter; the returned function closes its Redis client. */
export async function useRedisStreams(io: Server, args: RedisPeerArgs): Promise<() => void> {
  // Loaded only here: the one-node peer runs without them.
  const [{ Redis }, { createAdapter }] = await Promise.all([import('ioredis'), import('@socket.io/redis-streams-adapter')]);
  const client = new Redis(args.url, { maxRetriesPerRequest: 2 });
  client.on('error', (error: Error) => process.stderr.write(`socket.io peer: Redis: ${error.message}\n`));
  io.adapter(createAdapter(client, { streamName: `${args.prefix}socket.io`, channelPrefix: `${args.prefix}socket.io`, onlyPlaintext: true }));
  return () => client.disconnect();
}
