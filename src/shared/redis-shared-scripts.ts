/**
 * The shared state's Lua scripts: each check is one round trip and atomic, so
 * two nodes can never both take a name or both spend a bucket's last token.
 */

/**
 * Claims a name. KEYS: [1] the live holder (its TTL is the lease), [2] the
 * last holder ever (no TTL). ARGV: [1] session id, [2] lease ms, [3] the
 * channel told of a name that passes, [4] the name. Returns {granted 0/1,
 * newHolder 0/1} or, refused, {0, 0, the holder}.
 * Both keys carry the `{user:<name>}` hash tag: the name's inbox topic's slot.
 */
export const CLAIM_NAME_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return {0, 0, holder} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local last = redis.call('GET', KEYS[2])
local newHolder = 0
if last ~= ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[1])
  newHolder = 1
end
if not holder then redis.call('PUBLISH', ARGV[3], cjson.encode({ARGV[4], ARGV[1]})) end
return {1, newHolder}
`;

/**
 * Checks token buckets and spends one token from each only when all have one.
 * KEYS: the buckets (strings `<tokens> <at ms>`); ARGV: rate and burst per
 * bucket, in order. Time is Redis's (TIME), so every node refills alike. An
 * untouched bucket is full; a bucket expires once it would be full again.
 * Returns {0, ''} when allowed, else {index (1-based), seconds to wait as a string}.
 * One MGET and one SET … PX per bucket (a hash needed HMGET, HSET and PEXPIRE):
 * 4 commands for a publish's two buckets where there were 7.
 */
export const TAKE_TOKENS_LUA = `
if #KEYS == 0 then return {0, ''} end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local states = redis.call('MGET', unpack(KEYS))
local tokens = {}
for i = 1, #KEYS do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local have = burst
  if states[i] then
    local held, at = string.match(states[i], '^(%S+) (%d+)$')
    if held and at then have = math.min(burst, tonumber(held) + math.max(0, now - tonumber(at)) / 1000 * rate) end
  end
  if have < 1 then return {i, tostring((1 - have) / rate)} end
  tokens[i] = have
end
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  redis.call('SET', key, tostring(tokens[i] - 1) .. ' ' .. string.format('%d', now),
    'PX', math.ceil((burst - tokens[i] + 1) / rate * 1000) + 1000)
end
return {0, ''}
`;
