import { HELPERS, SESSION_BYTES } from './redis.session-store.lua';

/**
 * The append script of the Redis SESSION_STORE (layout: redis.session-store.lua.ts), built
 * per store with its settings written into the source: they are the same on every call,
 * and each argument costs ioredis an encoding and Redis a parse on every request.
 */
export interface AppendSettings {
  /** `<REDIS_KEY_PREFIX>ss:` */
  prefix: string;
  lookbackMs: number;
  maxActions: number;
  sessionTtlMs: number;
  /** TTL of a session's keys (sessionTtl + backstop slack), before REFRESH_MS is added. */
  keyTtlMs: number;
  userTtlMs: number;
  /** TTL of sessions, sizes and users. */
  trackTtlMs: number;
  clockTtlMs: number;
  maxSessions: number;
  maxUsers: number;
  maxSessionsPerUser: number;
  /** 0: none */
  maxBytes: number;
  refreshMs: number;
}

/** A Lua string literal for any bytes (decimal escapes: Lua 5.1 knows no others for UTF-8). */
export function luaString(s: string): string {
  let out = "'";
  for (const byte of Buffer.from(s, 'utf8')) out += /[A-Za-z0-9_:.-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `\\${byte}`;
  return `${out}'`;
}

const int = (n: number, name: string): string => {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`append script: ${name} must be a non-negative integer (got ${n})`);
  return String(n);
};

/**
 * One or more appends in one call, applied in order, each as it would be alone: the store
 * gathers the appends its callers make in the same turn of the event loop, so under load
 * Redis parses and answers one script call for several ingested requests.
 * KEYS: per append: meta, actions
 * ARGV: per append: scope, now, event user ('' none), event email ('' none), email
 *       lower-cased, earliest occurredAt of the batch ('' when empty), the number of actions,
 *       then the encoded actions (each the JSON array tail after `[seq,receivedAt,`,
 *       starting with occurredAt)
 * Returns per append {firstSeq, lastSeq, unsummarised, user ('' anonymous)}.
 *
 * Expiries: every key an append touches must outlive the rule it backs (a session's keys
 * keyTtl past its last write, the user's index userTtl, the trackers and the clock past
 * every session they hold). Instead of re-arming all of them on every call, a call
 * re-arms them with REFRESH more than their TTL when this session's last refresh `x` is
 * REFRESH or more ago (or ahead: a clock that went back), and otherwise only the keys it
 * creates (a list pushed from empty, a new member, field or counter). A skipped refresh is
 * less than REFRESH after the one that armed them, so each key still lives at least its
 * TTL past this write — the same margin as re-arming it now.
 */
export function appendScript(c: AppendSettings): string {
  const keyTtl = int(c.keyTtlMs + c.refreshMs, 'keyTtlMs');
  const userTtl = int(c.userTtlMs + c.refreshMs, 'userTtlMs');
  const trackTtl = int(c.trackTtlMs + c.refreshMs, 'trackTtlMs');
  const clockTtl = int(c.clockTtlMs + c.refreshMs, 'clockTtlMs');
  return `${HELPERS}
local P = ${luaString(c.prefix)}
local lookbackMs, maxActions, sessionTtlMs, refreshMs = ${int(c.lookbackMs, 'lookbackMs')}, ${int(c.maxActions, 'maxActions')}, ${int(c.sessionTtlMs, 'sessionTtlMs')}, ${int(c.refreshMs, 'refreshMs')}
local maxSessions, maxUsers, maxPerUser, maxBytes = ${int(c.maxSessions, 'maxSessions')}, ${int(c.maxUsers, 'maxUsers')}, ${int(c.maxSessionsPerUser, 'maxSessionsPerUser')}, ${int(c.maxBytes, 'maxBytes')}
local clock, sessions, users, sizes = P .. 'clock', P .. 'sessions', P .. 'users', P .. 'sizes'

local function appendOne(meta, acts, A, b, n)
local scope, nowS = A[b], A[b + 1]
local now = tonumber(nowS)
local evUser, evEmail, evEmailLower, batchOldest = A[b + 2], A[b + 3], A[b + 4], tonumber(A[b + 5])
local FIRST_ACTION = b + 7

local f = redis.call('HMGET', meta, 'u', 'l', 'n', 'c', 'ab', 'o', 'e', 'st', 'el', 'b', 'x')
local owner, last, nextSeq = f[1], tonumber(f[2]), tonumber(f[3])
local appended, ab, oldest, email, summary = tonumber(f[4]) or 0, tonumber(f[5]) or 0, tonumber(f[6]), f[7], f[8]
local emailLower, accounted, refreshed = f[9], tonumber(f[10]), tonumber(f[11])
local due = not refreshed or now - refreshed >= refreshMs or now < refreshed
if not last or not nextSeq or now - last > sessionTtlMs then
  -- New, or idle past SESSION_TTL by the caller's clock: start over with a new generation.
  redis.call('DEL', meta, acts)
  redis.call('HSET', meta, 'g', redis.call('INCR', clock), 'r', 0, 't', 0)
  owner, nextSeq, appended, ab, oldest, email, emailLower, summary, accounted, due = false, 1, 0, 0, nil, false, false, false, nil, true
elseif evUser ~= '' and owner and owner ~= evUser then
  -- Claimed by a different known user: nothing of the previous user's may reach the new one.
  redis.call('DEL', acts)
  redis.call('HDEL', meta, 'e', 'el', 'st', 'su', 'sc', 'o')
  redis.call('HSET', meta, 'g', redis.call('INCR', clock), 'r', 0, 't', 1)
  appended, ab, oldest, email, emailLower, summary, due = 0, 0, nil, false, false, false, true
end

local firstSeq = nextSeq
local pushed = {}
for i = 1, n do
  local el = '[' .. string.format('%d', nextSeq + i - 1) .. ',' .. nowS .. ',' .. A[FIRST_ACTION + i - 1]
  pushed[i] = el
  ab = ab + #el
end
-- RPUSH answers the new length: no LLEN, and a length of n means the list was just created.
local len = 0
for i = 1, n, 1000 do
  -- unpack() has a stack limit; push in slices.
  len = redis.call('RPUSH', acts, unpack(pushed, i, math.min(i + 999, n)))
end
if n == 0 then len = redis.call('LLEN', acts) end
local actsNew = n > 0 and len == n
nextSeq = nextSeq + n
if evUser ~= '' then owner = evUser end
if evEmail ~= '' then email, emailLower = evEmail, evEmailLower end
if batchOldest and (not oldest or batchOldest < oldest) then oldest = batchOldest end

-- Prune: actions that happened before the lookback window, wherever they sit (late
-- batches arrive out of order), then all but the newest maxActions.
local cutoff = now - lookbackMs
if oldest and oldest < cutoff then
  local items = redis.call('LRANGE', acts, 0, -1)
  local kept, keptBytes, keptOldest = {}, 0, nil
  for i = 1, #items do
    local at = occurredOf(items[i])
    if not at or at >= cutoff then
      kept[#kept + 1] = items[i]
      keptBytes = keptBytes + #items[i]
      if at and (not keptOldest or at < keptOldest) then keptOldest = at end
    end
  end
  if #kept < #items then
    redis.call('DEL', acts)
    if #kept > 0 then
      rpushAll(acts, kept)
      actsNew = true
    end
  end
  len, ab, oldest = #kept, keptBytes, keptOldest
end
if len > maxActions then
  local over = len - maxActions
  if over == 1 then
    -- The usual case once a session is full: one in, one out.
    ab = ab - #redis.call('LPOP', acts)
  else
    local gone = redis.call('LRANGE', acts, 0, over - 1)
    for i = 1, #gone do ab = ab - #gone[i] end
    redis.call('LTRIM', acts, over, -1)
  end
  len = maxActions
end

local bytes = ${SESSION_BYTES.record} + 4 * #scope + #(owner or '') + 2 * #(email or '') + #(summary or '') + ab + ${SESSION_BYTES.perAction} * len
-- Every meta field this call changed, in one write.
local fields = {'n', nextSeq, 'l', nowS, 'c', appended + n, 'ab', ab, 'b', bytes}
if due then
  fields[#fields + 1] = 'x'
  fields[#fields + 1] = nowS
end
if oldest then
  fields[#fields + 1] = 'o'
  fields[#fields + 1] = string.format('%.17g', oldest)
elseif f[6] then
  redis.call('HDEL', meta, 'o')
end
if evUser ~= '' then
  fields[#fields + 1] = 'u'
  fields[#fields + 1] = evUser
end
if evEmail ~= '' then
  fields[#fields + 1] = 'e'
  fields[#fields + 1] = evEmail
  fields[#fields + 1] = 'el'
  fields[#fields + 1] = evEmailLower
end
redis.call('HSET', meta, unpack(fields))
if due then redis.call('PEXPIRE', meta, ${keyTtl}) end
if (due or actsNew) and len > 0 then redis.call('PEXPIRE', acts, ${keyTtl}) end

-- LRU over all sessions, by count and by bytes: the oldest ticks go, with their keys.
local tick = redis.call('INCR', clock)
if due or tick == 1 then redis.call('PEXPIRE', clock, ${clockTtl}) end
local sessionAdded = redis.call('ZADD', sessions, tick, scope) == 1
local sizesNew = account(P, sessions, sizes, scope, bytes, accounted, sessionAdded, maxSessions, maxBytes)
if due or sessionAdded then redis.call('PEXPIRE', sessions, ${trackTtl}) end
if due or sizesNew then redis.call('PEXPIRE', sizes, ${trackTtl}) end

if owner then
  local us, u = P .. 'us:' .. owner, P .. 'u:' .. owner
  -- Last seen, plus a fraction below 1 ms from the write tick, so sessions seen in the same
  -- millisecond still list the most recent first (as in the memory store); readers floor it.
  local refAdded = redis.call('ZADD', us, scoreOf(now, tick), scope) == 1
  local userAdded = redis.call('ZADD', users, tick, owner) == 1
  local userDue = due or refAdded or userAdded
  -- Readers skip refs older than the lookback, so dropping them can wait for a refresh; only
  -- a new ref can take the index past the per-user cap.
  if userDue then redis.call('ZREMRANGEBYSCORE', us, '-inf', '(' .. string.format('%d', cutoff)) end
  if refAdded then redis.call('ZREMRANGEBYRANK', us, 0, -(maxPerUser + 1)) end
  if userDue then redis.call('PEXPIRE', us, ${userTtl}) end
  if email then
    -- As the memory store: every write of a session with an email makes it the user's
    -- email and the email's user (last seen wins).
    local fieldsAdded = redis.call('HSET', u, 'e', email, 'el', emailLower)
    redis.call('SET', P .. 'x:' .. emailLower, owner, 'PX', ${userTtl})
    if userDue or fieldsAdded > 0 then redis.call('PEXPIRE', u, ${userTtl}) end
  elseif userDue then
    redis.call('PEXPIRE', u, ${userTtl})
  end
  if userDue then redis.call('PEXPIRE', users, ${trackTtl}) end
  if userAdded then
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
end
return {firstSeq, nextSeq - 1, len, owner or ''}
end

local out, b = {}, 1
for k = 1, #KEYS, 2 do
  local n = tonumber(ARGV[b + 6])
  out[#out + 1] = appendOne(KEYS[k], KEYS[k + 1], ARGV, b, n)
  b = b + 7 + n
end
return out
`;
}
