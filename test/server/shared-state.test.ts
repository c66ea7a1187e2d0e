import { Redis } from 'ioredis';
import { MemorySharedState } from '../../src/shared/memory-shared-state.ts';
import { RedisSharedState } from '../../src/shared/redis-shared-state.ts';
import { deleteKeys, REDIS_URL, testPrefix } from '../bus/redis-keys.ts';
import { runSharedStateSuite } from './shared-state-suite.ts';

runSharedStateSuite('in memory', false, async () => ({
  newNode: async () => new MemorySharedState(),
  dispose: async () => {},
}));

runSharedStateSuite('Redis', true, async () => {
  const prefix = testPrefix();
  const connections: Redis[] = [];
  return {
    newNode: async () => {
      const redis = new Redis(REDIS_URL);
      connections.push(redis);
      const state = await RedisSharedState.connect(redis, prefix);
      return state;
    },
    dispose: async () => {
      await Promise.all(connections.splice(0).map((redis) => redis.quit()));
      await deleteKeys(prefix);
    },
  };
});
