import type Redis from 'ioredis';
import { resolveConnection, type RedisConnection, type RedisConnectionInput } from '../redis/redis-connection';
import type { ConversationStore, ConversationTurn } from './conversation-store.port';

export interface RedisConversationStoreOptions {
  /** A shared connection (left open by close()) or options for one this store owns. */
  connection: RedisConnectionInput;
  /** A conversation with no new turn or watermark for this long is forgotten. Default 7 days. */
  idleTtlSeconds?: number;
  /**
   * Most conversations kept (MAX_CONVERSATIONS), for every replica on the prefix together;
   * the least recently written go first, turns and watermark together. 0 or undefined: no
   * count cap (bounded by the idle TTL alone).
   */
  maxConversations?: number;
  /**
   * Byte budget of the conversations (CONVERSATION_STORE_MAX_BYTES), measured on what is
   * written to Redis (CONVERSATION_BYTES); the least recently written go first, never the
   * one just written. 0 or undefined: no byte budget.
   */
  maxBytes?: number;
}

const DEFAULT_IDLE_TTL_SECONDS = 7 * 24 * 3600;

/**
 * What one conversation is taken to cost in Redis: a fixed part (two keys with their
 * expiry entries, its entries in the LRU index and the sizes hash), its id three times
 * over (key names and members), and each stored turn's JSON plus a list-entry overhead.
 * Calibrated on used_memory (10-turn conversations of 200-character turns: within 1%).
 */
export const CONVERSATION_BYTES = { record: 350, perTurn: 24 } as const;

/**
 * Shared by the scripts: after a write to conversation `id`, records its size and its
 * recency, evicts the least recently written beyond maxConversations / maxBytes (never
 * `id` itself), and refreshes the TTL of the structures that track every conversation.
 */
const TRACK = `
local TOTAL = 'total'
local function conversationBytes(id, turnsKey)
  local n = ${CONVERSATION_BYTES.record} + 3 * #id
  for _, t in ipairs(redis.call('LRANGE', turnsKey, 0, -1)) do n = n + ${CONVERSATION_BYTES.perTurn} + #t end
  return n
end
-- Sizes are kept under 'c:' .. id, so no conversation id can be the TOTAL field.
local function forget(P, sizes, victim)
  redis.call('DEL', P .. 't:' .. victim, P .. 'w:' .. victim)
  local b = tonumber(redis.call('HGET', sizes, 'c:' .. victim))
  if b then
    redis.call('HDEL', sizes, 'c:' .. victim)
    redis.call('HINCRBY', sizes, TOTAL, -b)
  end
end
local function track(P, lru, sizes, clock, id, turnsKey, maxCount, maxBytes, ttl)
  redis.call('ZADD', lru, redis.call('INCR', clock), id)
  local bytes = conversationBytes(id, turnsKey)
  local prev = tonumber(redis.call('HGET', sizes, 'c:' .. id)) or 0
  redis.call('HSET', sizes, 'c:' .. id, bytes)
  local total = redis.call('HINCRBY', sizes, TOTAL, bytes - prev)
  if maxCount > 0 then
    local excess = redis.call('ZCARD', lru) - maxCount
    if excess > 0 then
      local victims = redis.call('ZPOPMIN', lru, excess)
      for i = 1, #victims, 2 do forget(P, sizes, victims[i]) end
      total = tonumber(redis.call('HGET', sizes, TOTAL)) or 0
    end
  end
  if maxBytes > 0 then
    while total > maxBytes and redis.call('ZCARD', lru) > 1 do
      local v = redis.call('ZPOPMIN', lru, 1)
      if v[1] == id then
        redis.call('ZADD', lru, v[2], v[1])
        break
      end
      forget(P, sizes, v[1])
      total = tonumber(redis.call('HGET', sizes, TOTAL)) or 0
    end
  end
  for _, k in ipairs({lru, sizes, clock}) do redis.call('PEXPIRE', k, ttl) end
end
`;

/**
 * KEYS: turns, watermark, lru, sizes, clock. ARGV: 1 P (`<prefix>cv:`), 2 id, 3 turns to
 * keep, 4 idle TTL ms, 5 maxConversations, 6 maxBytes, 7.. turn JSON.
 */
const APPEND_TURNS = `${TRACK}
local turns, watermark, lru, sizes, clock = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local P, id, keep, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
if keep == 0 then
  redis.call('DEL', turns)
else
  for i = 7, #ARGV do redis.call('RPUSH', turns, ARGV[i]) end
  redis.call('LTRIM', turns, -keep, -1)
  redis.call('PEXPIRE', turns, ttl)
end
redis.call('PEXPIRE', watermark, ttl)
track(P, lru, sizes, clock, id, turns, tonumber(ARGV[5]), tonumber(ARGV[6]), ttl)
return 1
`;

/**
 * Raise-only watermark: compare and set in one step, so two replicas finishing replies
 * out of order cannot move it backwards. Either way the conversation's keys are kept
 * alive together. KEYS: watermark, turns, lru, sizes, clock. ARGV: 1 P, 2 id, 3 at,
 * 4 idle TTL ms, 5 maxConversations, 6 maxBytes.
 */
const SET_WATERMARK = `${TRACK}
local watermark, turns, lru, sizes, clock = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local P, id, at, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local cur = tonumber(redis.call('GET', watermark))
if cur == nil or tonumber(at) > cur then
  redis.call('SET', watermark, at, 'PX', ttl)
else
  redis.call('PEXPIRE', watermark, ttl)
end
redis.call('PEXPIRE', turns, ttl)
track(P, lru, sizes, clock, id, turns, tonumber(ARGV[5]), tonumber(ARGV[6]), ttl)
return 1
`;

type Keyed = [string, string, string, string, string];

interface ConversationCommands {
  acConvAppend(...args: Array<string | number>): Promise<number>;
  acConvWatermark(...args: Array<string | number>): Promise<number>;
}

/**
 * CONVERSATION_STORE on Redis, shared by replicas. Per conversation: a list of turn
 * JSON (`cv:t:<id>`, capped with LTRIM) and the watermark (`cv:w:<id>`); per dedupe
 * claim a string (`cv:c:<key>`, SET NX with the claim's TTL). Across conversations:
 * `cv:lru` (ZSET id → write tick), `cv:sizes` (HASH `c:<id>` → bytes, and `total`) and
 * `cv:clock` (the tick counter), so maxConversations and maxBytes hold for every
 * replica together, as the memory store's caps do for one process. Every write
 * refreshes the conversation's idle expiry, so nothing is kept forever. Claims are
 * bounded by their TTL only (no count cap: a claim is never given up early, so dedupe
 * holds for its whole window).
 */
export class RedisConversationStore implements ConversationStore {
  private readonly conn: RedisConnection;
  private readonly owned: boolean;
  private readonly idleTtlMs: number;
  private readonly maxConversations: number;
  private readonly maxBytes: number;
  private readonly p: string;

  constructor(opts: RedisConversationStoreOptions) {
    ({ connection: this.conn, owned: this.owned } = resolveConnection(opts.connection));
    this.idleTtlMs = Math.max(1, opts.idleTtlSeconds ?? DEFAULT_IDLE_TTL_SECONDS) * 1000;
    this.maxConversations = Math.max(0, Math.floor(opts.maxConversations ?? 0));
    this.maxBytes = Math.max(0, Math.floor(opts.maxBytes ?? 0));
    this.p = this.conn.key('cv', '');
    this.conn.client.defineCommand('acConvAppend', { numberOfKeys: 5, lua: APPEND_TURNS });
    this.conn.client.defineCommand('acConvWatermark', { numberOfKeys: 5, lua: SET_WATERMARK });
  }

  async appendTurns(conversationId: string, turns: ConversationTurn[], maxTurns: number): Promise<void> {
    const keep = Math.max(0, Math.floor(maxTurns));
    const json = turns.map((t) => JSON.stringify({ role: t.role, text: t.text, at: t.at, ...(t.unprompted ? { unprompted: true } : {}) }));
    const [t, w, lru, sizes, clock] = this.keysOf(conversationId);
    await this.conn.run((c) =>
      (c as Redis & ConversationCommands).acConvAppend(t, w, lru, sizes, clock, this.p, conversationId, keep, this.idleTtlMs, this.maxConversations, this.maxBytes, ...json),
    );
  }

  async getTurns(conversationId: string, limit: number): Promise<ConversationTurn[]> {
    if (limit <= 0) return [];
    const raw = await this.conn.run((c) => c.lrange(this.turnsKey(conversationId), -Math.floor(limit), -1));
    return raw.map((json) => JSON.parse(json) as ConversationTurn);
  }

  async getWatermark(conversationId: string): Promise<number | undefined> {
    const v = await this.conn.run((c) => c.get(this.watermarkKey(conversationId)));
    return v === null ? undefined : Number(v);
  }

  async setWatermark(conversationId: string, at: number): Promise<void> {
    if (!Number.isFinite(at)) throw new RangeError(`watermark must be a finite number (got ${at})`);
    const [t, w, lru, sizes, clock] = this.keysOf(conversationId);
    await this.conn.run((c) =>
      (c as Redis & ConversationCommands).acConvWatermark(w, t, lru, sizes, clock, this.p, conversationId, String(at), this.idleTtlMs, this.maxConversations, this.maxBytes),
    );
  }

  async claimOnce(key: string, ttlSeconds: number): Promise<boolean> {
    const ms = Math.max(1, Math.round(ttlSeconds * 1000));
    return (await this.conn.run((c) => c.set(this.claimKey(key), '1', 'PX', ms, 'NX'))) === 'OK';
  }

  async releaseClaim(key: string): Promise<void> {
    await this.conn.run((c) => c.del(this.claimKey(key)));
  }

  async close(): Promise<void> {
    if (this.owned) await this.conn.close();
  }

  private turnsKey(id: string): string {
    return this.conn.key('cv', 't', id);
  }

  /** turns, watermark, lru, sizes, clock. */
  private keysOf(id: string): Keyed {
    return [this.turnsKey(id), this.watermarkKey(id), this.p + 'lru', this.p + 'sizes', this.p + 'clock'];
  }

  private watermarkKey(id: string): string {
    return this.conn.key('cv', 'w', id);
  }

  private claimKey(key: string): string {
    return this.conn.key('cv', 'c', key);
  }
}
