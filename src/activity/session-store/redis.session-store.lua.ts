
/**
 * Lua scripts of the Redis SESSION_STORE. Each runs atomically on the server, which is
 * what gives the port's per-session guarantees across replicas: a reader never sees
 * an append half done (pushed but not trimmed) or a summary half applied.
 *
 * Key layout under P (`<REDIS_KEY_PREFIX>ss:`), scope = `<product>:<session>` with `%`
 * and `:` escaped in each part:
 *   P s:<scope>   HASH   session meta: u user, e email, el email lower-cased, g generation,
 *                        r summary revision, n next seq, l last activity (ms), t taken over,
 *                        c actions appended since (re)start, st/su/sc summary text/at/covers,
 *                        ab bytes of the encoded actions held, o earliest occurredAt held
 *                        (may be lower than the true one after a trim: it only decides
 *                        whether the list needs a scan), b bytes last accounted in sizes,
 *                        x when an append last refreshed the expiries (ms; APPEND)
 *   P a:<scope>   LIST   actions, oldest first: `[seq,receivedAt,occurredAt,index,type,…]` JSON
 *   P sessions    ZSET   scope → LRU tick (eviction beyond maxSessions / maxBytes; stats; walked newest
 *                        first by listRecentSessions, for the operator console)
 *   P sizes       HASH   scope → approximate bytes of that session (see SESSION_BYTES),
 *                        and `total` (never a scope: scopes always hold a `:`) their sum
 *   P users       ZSET   user id → LRU tick (eviction beyond maxUsers; stats)
 *   P us:<user>   ZSET   scope → last seen (ms, plus a sub-ms tie-break); newest maxSessionsPerUser within lookback
 *   P u:<user>    HASH   e email, el email lower-cased
 *   P x:<email>   STRING user id last seen with this (lower-cased) email
 *   P clock       STRING counter: generations and LRU ticks (unique, increasing)
 * Keys other than KEYS are derived in-script from P, so these scripts need a single
 * Redis (standalone or Sentinel), not Cluster.
 */

/**
 * What one session is taken to cost in Redis, in bytes: a fixed part (its meta hash,
 * its entries in the sessions and sizes structures, key headers and expiry entries, and
 * a typical user's index entries), the scope four times (two key names, two members),
 * user, email (twice: as given and lower-cased), summary text, the encoded actions, and
 * a per-action list overhead. Redis strings are UTF-8, so Lua's `#` is their byte
 * length. An approximation, like the memory store's, of what is written; the fixed part
 * is calibrated with bench/redis-store.ts, whose used_memory per session it matches
 * within a few percent (docs/redis.md, Sizing).
 */
export const SESSION_BYTES = { record: 1_500, perAction: 24 } as const;

/** Sub-millisecond tie-break from the write tick: sessions written in the same ms list the latest first. */
const SCORE_OF = `local function scoreOf(now, tick) return string.format('%.17g', now + (tick % 4000) / 4096) end`;
/**
 * An append refreshes the expiries of the keys it touches at most once per this long per
 * session (they are set this much longer than their TTL instead), rather than with ~10
 * PEXPIREs on every call; keys it creates always get theirs at once. See APPEND.
 */
export const REFRESH_MS = 60_000;

/** Shared helpers: fields at the head of an encoded action, sizes and eviction. */
export const HELPERS = `
local TOTAL = 'total'
${SCORE_OF}
local function seqOf(el) return tonumber(string.match(el, '^%[([^,]*),')) end
local function occurredOf(el) return tonumber(string.match(el, '^%[[^,]*,[^,]*,([^,]*)[,%]]')) end
local function sessionBytes(meta, scope, count, actionBytes)
  local m = redis.call('HMGET', meta, 'u', 'e', 'st')
  return ${SESSION_BYTES.record} + 4 * #scope + #(m[1] or '') + 2 * #(m[2] or '') + #(m[3] or '') + actionBytes + ${SESSION_BYTES.perAction} * count
end
-- Forgets one tracked session: its keys and its share of the byte total.
local function forget(P, sizes, victim)
  redis.call('DEL', P .. 's:' .. victim, P .. 'a:' .. victim)
  local b = tonumber(redis.call('HGET', sizes, victim))
  if b then
    redis.call('HDEL', sizes, victim)
    redis.call('HINCRBY', sizes, TOTAL, -b)
  end
end
-- Records the size of the session just written (ZADDed to sessions with the newest tick;
-- \`added\`: it was not tracked there before), then evicts the least recently written
-- beyond maxSessions and, when maxBytes is set, beyond maxBytes; never the session just
-- written. \`prev\` is the size last recorded for it (nil: read from sizes). Only a session
-- new to the set can take the count past maxSessions, and an unchanged size cannot take
-- the total past maxBytes, so those checks are skipped otherwise. Returns true when sizes
-- gained a field (the key may be new, so the caller sets its expiry).
local function account(P, sessions, sizes, scope, bytes, prev, added, maxSessions, maxBytes)
  prev = prev or tonumber(redis.call('HGET', sizes, scope))
  local newField, total = false, nil
  if bytes ~= prev then
    newField = redis.call('HSET', sizes, scope, bytes) == 1
    total = redis.call('HINCRBY', sizes, TOTAL, bytes - (prev or 0))
  end
  if added then
    local excess = redis.call('ZCARD', sessions) - maxSessions
    if excess > 0 then
      local victims = redis.call('ZPOPMIN', sessions, excess)
      for i = 1, #victims, 2 do forget(P, sizes, victims[i]) end
      total = tonumber(redis.call('HGET', sizes, TOTAL)) or 0
    end
  end
  if maxBytes > 0 and total then
    while total > maxBytes and redis.call('ZCARD', sessions) > 1 do
      local v = redis.call('ZPOPMIN', sessions, 1)
      if v[1] == scope then
        redis.call('ZADD', sessions, v[2], v[1])
        break
      end
      forget(P, sizes, v[1])
      total = tonumber(redis.call('HGET', sizes, TOTAL)) or 0
    end
  end
  return newField
end
local function rpushAll(key, items)
  -- unpack() has a stack limit; push in slices.
  local batch = {}
  for i = 1, #items do
    batch[#batch + 1] = items[i]
    if #batch == 1000 or i == #items then
      redis.call('RPUSH', key, unpack(batch))
      batch = {}
    end
  end
end
`;

/**
 * Stores the summary, then drops exactly the actions it covers — in one script, so no
 * reader sees the actions gone before the summary, or both at once.
 * KEYS: meta, actions, clock, sessions, sizes
 * ARGV: 1 P, 2 scope, 3 now, 4 sessionTtlMs, 5 keyTtlMs (+ REFRESH), 6 text, 7 coversThroughSeq,
 *       8 replaces, 9 generation, 10 expectedRevision ('' for each of 7–10 when not given),
 *       11 clockTtlMs (+ REFRESH), 12 TTL of sessions and sizes (+ REFRESH), 13 maxSessions, 14 maxBytes (0 none),
 *       15 lookback cutoff (ms): `replaces` counts only actions inside the window, the ones
 *       every read returns (what is older is pruned on the next append)
 * Returns 1 when applied, 0 when refused (unknown, expired, other generation or revision,
 * or a `replaces` summary after a takeover that the new owner's actions cannot account for).
 */
export const APPLY_SUMMARY = `${HELPERS}
local meta, acts, clock, sessions, sizes = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local P, scope, nowS = ARGV[1], ARGV[2], ARGV[3]
local now, sessionTtlMs, keyTtlMs = tonumber(nowS), tonumber(ARGV[4]), tonumber(ARGV[5])
local text, covers, replaces, gen, rev = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local clockTtlMs, trackTtlMs, maxSessions, maxBytes = ARGV[11], ARGV[12], tonumber(ARGV[13]), tonumber(ARGV[14])
local cutoff = tonumber(ARGV[15])

local f = redis.call('HMGET', meta, 'g', 'r', 't', 'c', 'l', 'sc', 'ab', 'b')
local last = tonumber(f[5])
if not f[1] or not last or now - last > sessionTtlMs then return 0 end
if gen and gen ~= tonumber(f[1]) then return 0 end
if rev and rev ~= tonumber(f[2]) then return 0 end
if replaces and f[3] == '1' and replaces > tonumber(f[4]) then return 0 end

covers = covers or 0
if replaces and replaces > 0 then
  -- The replaces-th oldest action a reader sees (or the newest, when it sees fewer).
  local items, seen, nth = redis.call('LRANGE', acts, 0, -1), 0, nil
  for i = 1, #items do
    local at = occurredOf(items[i])
    if not at or at >= cutoff then
      seen = seen + 1
      nth = items[i]
      if seen == replaces then break end
    end
  end
  if nth then covers = math.max(covers, seqOf(nth)) end
end
local through = math.max(covers, tonumber(f[6]) or 0)
redis.call('HSET', meta, 'st', text, 'su', nowS, 'sc', string.format('%d', through), 'l', nowS)
redis.call('HINCRBY', meta, 'r', 1)
local ab = tonumber(f[7]) or 0
if covers > 0 then
  local items = redis.call('LRANGE', acts, 0, -1)
  local drop = 0
  for i = 1, #items do
    if seqOf(items[i]) <= covers then
      drop = i
      ab = ab - #items[i]
    else
      break
    end
  end
  if drop > 0 then redis.call('LTRIM', acts, drop, -1) end
  redis.call('HSET', meta, 'ab', ab)
end
-- The expiries run REFRESH longer than keyTtl (see APPEND); the summary leaves the
-- append's refresh time 'x' alone, so it never shortens what an append relies on.
redis.call('PEXPIRE', meta, keyTtlMs)
redis.call('PEXPIRE', acts, keyTtlMs)
local tick = redis.call('INCR', clock)
redis.call('PEXPIRE', clock, clockTtlMs)
local added = redis.call('ZADD', sessions, tick, scope) == 1
local bytes = sessionBytes(meta, scope, redis.call('LLEN', acts), ab)
account(P, sessions, sizes, scope, bytes, tonumber(f[8]), added, maxSessions, maxBytes)
redis.call('HSET', meta, 'b', bytes)
redis.call('PEXPIRE', sessions, trackTtlMs)
redis.call('PEXPIRE', sizes, trackTtlMs)
return 1
`;

/**
 * The newest sessions across users, each a consistent snapshot, in one round trip: the
 * LRU index holds every live session by its last write (an append or a summary), so it
 * is walked newest first, skipping sessions last active before the window, until `limit`
 * are found or a whole slice is older than the window.
 * KEYS: sessions. ARGV: 1 P, 2 min last activity (ms), 3 limit.
 * Returns {per session: scope, meta HGETALL, actions LRANGE}.
 */
export const READ_RECENT = `
local P, minLast, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local out, found, from = {}, 0, 0
while found < limit do
  local scopes = redis.call('ZREVRANGE', KEYS[1], from, from + limit - 1)
  if #scopes == 0 then break end
  local fresh = 0
  for i = 1, #scopes do
    local meta = P .. 's:' .. scopes[i]
    local last = tonumber(redis.call('HGET', meta, 'l'))
    if last and last >= minLast and found < limit then
      fresh = fresh + 1
      found = found + 1
      out[#out + 1] = scopes[i]
      out[#out + 1] = redis.call('HGETALL', meta)
      out[#out + 1] = redis.call('LRANGE', P .. 'a:' .. scopes[i], 0, -1)
    end
  end
  if fresh == 0 then break end
  from = from + limit
end
return out
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
