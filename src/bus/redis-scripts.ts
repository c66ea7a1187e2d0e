/**
 * The Lua the Redis adapter runs (src/bus/redis-adapter.ts), one script per
 * operation so that each is one round trip and atomic on the server.
 *
 * Key layout for a prefix P and a topic T (redis-adapter.ts `topicKeys`):
 *   P{T}:seq   string  the topic's last seq (INCR)
 *   P{T}:log   stream  the history, entry id `<seq>-0`, fields i=<id> m=<message JSON>,
 *                      trimmed to historyPerTopic entries (exact MAXLEN)
 *   P{T}:ids   hash    id → seq of the held messages (idempotency; trimmed with the log)
 *   P{T}:live  channel `<epoch> <message JSON>`, PUBLISHed once stored (a node hears a new epoch from it)
 *   Pepoch     string  the epoch of the whole history
 *   Pstats     hash    topics, messages, bytes (what /api/stats shows)
 *   Pusers     set     names that ever held a session
 * The `{T}` hash tag keeps one topic's keys in one Redis Cluster slot. The
 * epoch and stats keys are global: see redis-adapter.ts for the Cluster limits.
 */

/**
 * KEYS: seq, log, ids, epoch, stats. ARGV: epoch the caller believes in, id,
 * then topic, id, from and body each as a JSON string, ts, historyPerTopic, channel.
 * Returns {'stored', json}, {'duplicate', json} or {'epoch', storedEpoch or ''}
 * (the caller's epoch is stale, or the epoch key is gone because Redis lost its data).
 */
export const PUBLISH_LUA = `
local epoch = redis.call('GET', KEYS[4])
if epoch ~= ARGV[1] then return {'epoch', epoch or ''} end
local earlier = redis.call('HGET', KEYS[3], ARGV[2])
if earlier then
  local entry = redis.call('XRANGE', KEYS[2], earlier, earlier)
  if entry[1] then return {'duplicate', entry[1][2][4]} end
end
local seq = redis.call('INCR', KEYS[1])
local json = '{"topic":' .. ARGV[3] .. ',"seq":' .. seq .. ',"id":' .. ARGV[4] .. ',"from":' .. ARGV[5]
  .. ',"body":' .. ARGV[6] .. ',"ts":' .. ARGV[7] .. '}'
local max = tonumber(ARGV[8])
local length = redis.call('XLEN', KEYS[2])
local freedCount, freedBytes = 0, 0
if length >= max then
  -- The entries XADD's MAXLEN is about to drop: forget their ids and their bytes.
  local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', length - max + 1)
  for _, entry in ipairs(oldest) do
    redis.call('HDEL', KEYS[3], entry[2][2])
    freedCount = freedCount + 1
    freedBytes = freedBytes + string.len(entry[2][4])
  end
end
redis.call('XADD', KEYS[2], 'MAXLEN', max, seq .. '-0', 'i', ARGV[2], 'm', json)
redis.call('HSET', KEYS[3], ARGV[2], seq)
if seq == 1 then redis.call('HINCRBY', KEYS[5], 'topics', 1) end
-- A full history trims one message per message stored: its count is unchanged, so not written.
if freedCount ~= 1 then redis.call('HINCRBY', KEYS[5], 'messages', 1 - freedCount) end
redis.call('HINCRBY', KEYS[5], 'bytes', string.len(json) - freedBytes)
redis.call('PUBLISH', ARGV[9], ARGV[1] .. ' ' .. json)
return {'stored', json}
`;

/**
 * KEYS: seq, log, epoch. ARGV: afterSeq, limit.
 * Returns {epoch or '', lastSeq, firstHeldSeq, json…} with at most `limit` messages after afterSeq.
 */
export const READ_LUA = `
local epoch = redis.call('GET', KEYS[3]) or ''
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local firstHeld = last + 1
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if first[1] then firstHeld = tonumber(string.match(first[1][1], '^(%d+)')) end
local out = {epoch, last, firstHeld}
local limit = tonumber(ARGV[2])
if limit > 0 then
  local from = math.max(tonumber(ARGV[1]) + 1, firstHeld)
  for _, entry in ipairs(redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', limit)) do
    out[#out + 1] = entry[2][4]
  end
end
return out
`;

/** KEYS: epoch. ARGV: a fresh epoch. Returns the stored epoch, storing the fresh one when there is none. */
export const ENSURE_EPOCH_LUA = `
local epoch = redis.call('GET', KEYS[1])
if epoch then return epoch end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`;

/**
 * KEYS: seq, log, ids, epoch, stats. ARGV: epoch the caller believes in.
 * Drops the topic's history and idempotency keys but keeps its seq, so the
 * next message continues after the last. Returns {'forgotten', count} or {'epoch', …} as PUBLISH_LUA.
 */
export const FORGET_LUA = `
local epoch = redis.call('GET', KEYS[4])
if epoch ~= ARGV[1] then return {'epoch', epoch or ''} end
local entries = redis.call('XRANGE', KEYS[2], '-', '+')
local bytes = 0
for _, entry in ipairs(entries) do bytes = bytes + string.len(entry[2][4]) end
redis.call('DEL', KEYS[2], KEYS[3])
-- 0 - n, not -n: Lua writes -0 as "-0", which HINCRBY refuses (an empty topic).
redis.call('HINCRBY', KEYS[5], 'messages', 0 - #entries)
redis.call('HINCRBY', KEYS[5], 'bytes', 0 - bytes)
return {'forgotten', #entries}
`;
