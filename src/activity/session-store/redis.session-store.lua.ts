/**
 * Lua scripts of the Redis SESSION_STORE. Each runs atomically on the server, which is
 * what gives the port's per-session guarantees across replicas: a reader never sees
 * an append half done (pushed but not trimmed) or a summary half applied.
 *
 * Key layout under P (`<REDIS_KEY_PREFIX>ss:`), scope = `<product>:<session>` with `%`
 * and `:` escaped in each part:
 *   P s:<scope>   HASH   session meta: u user, e email, el email lower-cased, g generation,
 *                        r summary revision, n next seq, l last activity (ms), t taken over,
 *                        c actions appended since (re)start, st/su/sc summary text/at/covers
 *   P a:<scope>   LIST   actions, oldest first: `[seq,receivedAt,index,type,title,…]` JSON
 *   P sessions    ZSET   scope → LRU tick (eviction beyond maxSessions; stats)
 *   P users       ZSET   user id → LRU tick (eviction beyond maxUsers; stats)
 *   P us:<user>   ZSET   scope → last seen (ms); newest maxSessionsPerUser within lookback
 *   P u:<user>    HASH   e email, el email lower-cased
 *   P x:<email>   STRING user id last seen with this (lower-cased) email
 *   P clock       STRING counter: generations and LRU ticks (unique, increasing)
 * Keys other than KEYS are derived in-script from P, so these scripts need a single
 * Redis (standalone or Sentinel), not Cluster.
 */

/** Shared helpers: the seq and receivedAt at the head of an encoded action. */
const HELPERS = `
local function seqOf(el) return tonumber(string.match(el, '^%[([^,]*),')) end
local function receivedOf(el) return tonumber(string.match(el, '^%[[^,]*,([^,]*),')) end
`;

/**
 * KEYS: meta, actions, clock, sessions, users
 * ARGV: 1 P, 2 scope, 3 now, 4 lookbackMs, 5 maxActions, 6 sessionTtlMs, 7 keyTtlMs,
 *       8 userTtlMs, 9 maxSessions, 10 maxUsers, 11 maxSessionsPerUser, 12 event user ('' none),
 *       13 event email ('' none), 14 email lower-cased, 15 clockTtlMs, 16.. encoded actions
 *       (each the JSON array tail after `[seq,receivedAt,`)
 * Returns {firstSeq, lastSeq, unsummarised, user ('' anonymous)}.
 */
export const APPEND = `${HELPERS}
local meta, acts, clock, sessions, users = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local P, scope, nowS = ARGV[1], ARGV[2], ARGV[3]
local now, lookbackMs, maxActions = tonumber(nowS), tonumber(ARGV[4]), tonumber(ARGV[5])
local sessionTtlMs, keyTtlMs, userTtlMs = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local maxSessions, maxUsers, maxPerUser = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local evUser, evEmail, evEmailLower, clockTtlMs = ARGV[12], ARGV[13], ARGV[14], ARGV[15]
local FIRST_ACTION = 16

local f = redis.call('HMGET', meta, 'u', 'l', 'n')
local owner, last, nextSeq = f[1], tonumber(f[2]), tonumber(f[3])
if not last or not nextSeq or now - last > sessionTtlMs then
  -- New, or idle past SESSION_TTL by the caller's clock: start over with a new generation.
  redis.call('DEL', meta, acts)
  redis.call('HSET', meta, 'g', redis.call('INCR', clock), 'r', 0, 'n', 1, 't', 0, 'c', 0)
  owner, nextSeq = false, 1
elseif evUser ~= '' and owner and owner ~= evUser then
  -- Claimed by a different known user: nothing of the previous user's may reach the new one.
  redis.call('DEL', acts)
  redis.call('HDEL', meta, 'e', 'el', 'st', 'su', 'sc')
  redis.call('HSET', meta, 'g', redis.call('INCR', clock), 'r', 0, 't', 1, 'c', 0)
end

local n = #ARGV - FIRST_ACTION + 1
local firstSeq = nextSeq
local batch = {}
for i = 1, n do
  batch[#batch + 1] = '[' .. string.format('%d', nextSeq + i - 1) .. ',' .. nowS .. ',' .. ARGV[FIRST_ACTION + i - 1]
  -- unpack() has a stack limit; push in slices.
  if #batch == 1000 or i == n then
    redis.call('RPUSH', acts, unpack(batch))
    batch = {}
  end
end
nextSeq = nextSeq + n
redis.call('HSET', meta, 'n', nextSeq, 'l', nowS)
redis.call('HINCRBY', meta, 'c', n)
if evUser ~= '' then
  owner = evUser
  redis.call('HSET', meta, 'u', evUser)
end
if evEmail ~= '' then redis.call('HSET', meta, 'e', evEmail, 'el', evEmailLower) end

-- Prune: actions received before the lookback window, then all but the newest maxActions.
local len = redis.call('LLEN', acts)
local cutoff = now - lookbackMs
local drop = 0
while drop < len do
  local r = receivedOf(redis.call('LINDEX', acts, drop))
  if r and r < cutoff then drop = drop + 1 else break end
end
if len - drop > maxActions then drop = len - maxActions end
if drop > 0 then redis.call('LTRIM', acts, drop, -1) end
local unsummarised = len - drop
redis.call('PEXPIRE', meta, keyTtlMs)
redis.call('PEXPIRE', acts, keyTtlMs)

-- LRU over all sessions: the oldest ticks beyond maxSessions go, with their keys.
local tick = redis.call('INCR', clock)
redis.call('PEXPIRE', clock, clockTtlMs)
redis.call('ZADD', sessions, tick, scope)
redis.call('PEXPIRE', sessions, math.max(keyTtlMs, userTtlMs))
local excess = redis.call('ZCARD', sessions) - maxSessions
if excess > 0 then
  local victims = redis.call('ZPOPMIN', sessions, excess)
  for i = 1, #victims, 2 do redis.call('DEL', P .. 's:' .. victims[i], P .. 'a:' .. victims[i]) end
end

if owner then
  local us, u = P .. 'us:' .. owner, P .. 'u:' .. owner
  redis.call('ZADD', us, now, scope)
  redis.call('ZREMRANGEBYSCORE', us, '-inf', '(' .. string.format('%d', cutoff))
  redis.call('ZREMRANGEBYRANK', us, 0, -(maxPerUser + 1))
  redis.call('PEXPIRE', us, userTtlMs)
  local email = redis.call('HMGET', meta, 'e', 'el')
  if email[1] then
    redis.call('HSET', u, 'e', email[1], 'el', email[2])
    redis.call('SET', P .. 'x:' .. email[2], owner, 'PX', userTtlMs)
  end
  redis.call('PEXPIRE', u, userTtlMs)
  redis.call('ZADD', users, tick, owner)
  redis.call('PEXPIRE', users, math.max(keyTtlMs, userTtlMs))
  local excessUsers = redis.call('ZCARD', users) - maxUsers
  if excessUsers > 0 then
    local victims = redis.call('ZPOPMIN', users, excessUsers)
    for i = 1, #victims, 2 do
      local v = victims[i]
      local lower = redis.call('HGET', P .. 'u:' .. v, 'el')
      if lower and redis.call('GET', P .. 'x:' .. lower) == v then redis.call('DEL', P .. 'x:' .. lower) end
      redis.call('DEL', P .. 'u:' .. v, P .. 'us:' .. v)
    end
  end
end
return {firstSeq, nextSeq - 1, unsummarised, owner or ''}
`;

/**
 * Stores the summary, then drops exactly the actions it covers — in one script, so no
 * reader sees the actions gone before the summary, or both at once.
 * KEYS: meta, actions, clock, sessions
 * ARGV: 1 scope, 2 now, 3 sessionTtlMs, 4 keyTtlMs, 5 text, 6 coversThroughSeq, 7 replaces,
 *       8 generation, 9 expectedRevision ('' for each of 6–9 when not given), 10 clockTtlMs
 * Returns 1 when applied, 0 when refused (unknown, expired, other generation or revision,
 * or a `replaces` summary after a takeover that the new owner's actions cannot account for).
 */
export const APPLY_SUMMARY = `${HELPERS}
local meta, acts, clock, sessions = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local scope, nowS = ARGV[1], ARGV[2]
local now, sessionTtlMs, keyTtlMs = tonumber(nowS), tonumber(ARGV[3]), tonumber(ARGV[4])
local text, covers, replaces, gen, rev = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])

local f = redis.call('HMGET', meta, 'g', 'r', 't', 'c', 'l', 'sc')
local last = tonumber(f[5])
if not f[1] or not last or now - last > sessionTtlMs then return 0 end
if gen and gen ~= tonumber(f[1]) then return 0 end
if rev and rev ~= tonumber(f[2]) then return 0 end
if replaces and f[3] == '1' and replaces > tonumber(f[4]) then return 0 end

covers = covers or 0
if replaces and replaces > 0 then
  local k = math.min(replaces, redis.call('LLEN', acts))
  if k > 0 then covers = math.max(covers, seqOf(redis.call('LINDEX', acts, k - 1))) end
end
local through = math.max(covers, tonumber(f[6]) or 0)
redis.call('HSET', meta, 'st', text, 'su', nowS, 'sc', string.format('%d', through), 'l', nowS)
redis.call('HINCRBY', meta, 'r', 1)
if covers > 0 then
  local items = redis.call('LRANGE', acts, 0, -1)
  local drop = 0
  for i = 1, #items do
    if seqOf(items[i]) <= covers then drop = i else break end
  end
  if drop > 0 then redis.call('LTRIM', acts, drop, -1) end
end
redis.call('PEXPIRE', meta, keyTtlMs)
redis.call('PEXPIRE', acts, keyTtlMs)
local tick = redis.call('INCR', clock)
redis.call('PEXPIRE', clock, ARGV[10])
redis.call('ZADD', sessions, 'XX', tick, scope)
return 1
`;

/**
 * One session's meta and actions as one snapshot. KEYS: meta, actions.
 * Returns {meta HGETALL, actions LRANGE}.
 */
export const READ_SESSION = `
return {redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1)}
`;

/**
 * A user's recent sessions, each a consistent snapshot, in one round trip.
 * KEYS: us:<user>, u:<user>
 * ARGV: 1 P, 2 min last-seen (ms), 3 scope prefix to keep ('' all), 4 limit
 * Returns nil for an unknown user, else {email or '', then per session: scope, last seen,
 * meta HGETALL, actions LRANGE}.
 */
export const READ_USER = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local P, prefix, limit = ARGV[1], ARGV[3], tonumber(ARGV[4])
local refs = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', ARGV[2], 'WITHSCORES')
local out = {redis.call('HGET', KEYS[2], 'e') or ''}
local picked = 0
for i = 1, #refs, 2 do
  if picked >= limit then break end
  local scope = refs[i]
  if prefix == '' or string.sub(scope, 1, #prefix) == prefix then
    picked = picked + 1
    out[#out + 1] = scope
    out[#out + 1] = refs[i + 1]
    out[#out + 1] = redis.call('HGETALL', P .. 's:' .. scope)
    out[#out + 1] = redis.call('LRANGE', P .. 'a:' .. scope, 0, -1)
  end
end
return out
`;
