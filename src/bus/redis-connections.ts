import { Redis } from 'ioredis';
import { ENSURE_EPOCH_LUA, FORGET_LUA, PUBLISH_LUA, READ_LUA } from './redis-scripts.ts';

/** The commands defined from redis-scripts.ts (ioredis `defineCommand`: EVALSHA, EVAL on a miss). */
export interface ScriptedRedis extends Redis {
  labPublish(...keysThenArgs: (string | number)[]): Promise<[string, string]>;
  labRead(...keysThenArgs: (string | number)[]): Promise<[string, number, number, ...string[]]>;
  labEnsureEpoch(key: string, fresh: string): Promise<string>;
  labForget(...keysThenArgs: string[]): Promise<[string, string | number]>;
}

/**
 * A node's two connections to the bus's Redis, not yet connected: one for
 * commands (with the scripts defined) and one for the live subscription
 * (subscribed by hand after a reconnect, so that the missed tail is read
 * only once the pattern is live again). Both named in CLIENT LIST
 * (`<clientName>-cmd`, `<clientName>-sub`). Errors surface through the
 * operations (as `unavailable`): an unhandled 'error' event would crash the process.
 */
export function busConnections(url: string, clientName: string, commandTimeoutMs: number): { commands: ScriptedRedis; subscriber: Redis } {
  // lazyConnect: nothing is reached before connect(); one failed attempt is
  // reported there instead of retrying silently.
  const commands = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    commandTimeout: commandTimeoutMs,
    connectionName: `${clientName}-cmd`,
  }) as ScriptedRedis;
  commands.defineCommand('labPublish', { numberOfKeys: 5, lua: PUBLISH_LUA });
  commands.defineCommand('labRead', { numberOfKeys: 3, lua: READ_LUA });
  commands.defineCommand('labEnsureEpoch', { numberOfKeys: 1, lua: ENSURE_EPOCH_LUA });
  commands.defineCommand('labForget', { numberOfKeys: 5, lua: FORGET_LUA });
  const subscriber = commands.duplicate({ autoResubscribe: false, connectionName: `${clientName}-sub` });
  commands.on('error', () => {});
  subscriber.on('error', () => {});
  return { commands, subscriber };
}
