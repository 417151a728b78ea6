import type Redis from 'ioredis';
import { resolveConnection, type RedisConnection, type RedisConnectionInput } from '../redis/redis-connection';
import type { DeadLetter, DeadLetterStore } from './dead-letter.port';

export interface RedisDeadLetterStoreOptions {
  /** A shared connection (left open by close()) or options for one this store owns. */
  connection: RedisConnectionInput;
  /** Most entries kept (DEAD_LETTER_MAX), for every replica on the prefix together; the oldest are dropped beyond it, and counted. */
  max: number;
  /** Largest entry accepted, as JSON bytes; a larger one is refused (DeadLetterTooLargeError), never cut. Default 256 KiB. */
  maxEntryBytes?: number;
  /**
   * The store's keys expire this long after its last add or take, so a deployment that
   * is gone leaves nothing behind for ever. Default 30 days.
   */
  retentionSeconds?: number;
}

/** A dead letter whose JSON is larger than maxEntryBytes: refused whole, since a cut payload could not be retried. */
export class DeadLetterTooLargeError extends Error {
  constructor(
    readonly id: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`dead letter ${id.slice(0, 80)} is ${bytes} bytes (limit ${limit})`);
    this.name = 'DeadLetterTooLargeError';
  }
}

const DEFAULT_MAX_ENTRY_BYTES = 256 * 1024;
const DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * Key layout under `<prefix>dl:`:
 *   e   HASH   id → entry JSON
 *   i   ZSET   id → insertion number (newest highest): the order, and what is dropped first
 *   m   HASH   seq (last insertion number), dropped (entries dropped because the store was full)
 * Every key gets the retention TTL on each write; the hash and the index are bounded by
 * `max` entries of at most maxEntryBytes each.
 */

/**
 * KEYS: entries, index, meta. ARGV: 1 id, 2 JSON, 3 max, 4 retention ms.
 * Re-adding an id replaces the entry and makes it the newest (as the memory store does).
 * Returns how many entries were dropped to stay within max.
 */
const ADD = `
local entries, index, meta = KEYS[1], KEYS[2], KEYS[3]
local id, max, ttl = ARGV[1], tonumber(ARGV[3]), ARGV[4]
redis.call('HSET', entries, id, ARGV[2])
redis.call('ZADD', index, redis.call('HINCRBY', meta, 'seq', 1), id)
local dropped = 0
local excess = redis.call('ZCARD', index) - max
if excess > 0 then
  local victims = redis.call('ZPOPMIN', index, excess)
  for i = 1, #victims, 2 do redis.call('HDEL', entries, victims[i]) end
  dropped = #victims / 2
  redis.call('HINCRBY', meta, 'dropped', dropped)
end
redis.call('PEXPIRE', entries, ttl)
redis.call('PEXPIRE', index, ttl)
redis.call('PEXPIRE', meta, ttl)
return dropped
`;

/** KEYS: entries, index. ARGV: 1 limit. The newest `limit` entries' JSON, newest first, as one snapshot. */
const LIST = `
local ids = redis.call('ZREVRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1)
local out = {}
-- unpack() has a stack limit; read in slices.
for from = 1, #ids, 1000 do
  local slice = {}
  for i = from, math.min(from + 999, #ids) do slice[#slice + 1] = ids[i] end
  local got = redis.call('HMGET', KEYS[1], unpack(slice))
  for i = 1, #got do out[#out + 1] = got[i] end
end
return out
`;

/**
 * KEYS: entries, index, meta. ARGV: 1 id, 2 retention ms. Removes and returns one entry
 * (false when absent) in one step, so of two replicas taking the same id one gets it.
 */
const TAKE = `
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
return json
`;

interface DeadLetterCommands {
  acDlAdd(entries: string, index: string, meta: string, id: string, json: string, max: number, ttlMs: number): Promise<number>;
  acDlList(entries: string, index: string, limit: number): Promise<Array<string | null>>;
  acDlTake(entries: string, index: string, meta: string, id: string, ttlMs: number): Promise<string | null>;
}

/**
 * DeadLetterStore on Redis: one list for every replica on the prefix, so a dead letter
 * written by one replica is listed and retried from any, and survives restarts.
 * Bounded like the memory store (at most `max` entries, the oldest dropped first and
 * counted), plus a cap on each entry's size and a retention TTL on every key.
 */
export class RedisDeadLetterStore implements DeadLetterStore {
  private readonly conn: RedisConnection;
  private readonly owned: boolean;
  private readonly cmd: Redis & DeadLetterCommands;
  private readonly keys: { entries: string; index: string; meta: string };
  private readonly max: number;
  private readonly maxEntryBytes: number;
  private readonly ttlMs: number;

  constructor(opts: RedisDeadLetterStoreOptions) {
    if (!Number.isInteger(opts.max) || opts.max < 1) throw new RangeError(`max must be a positive integer (got ${opts.max})`);
    ({ connection: this.conn, owned: this.owned } = resolveConnection(opts.connection));
    this.max = opts.max;
    this.maxEntryBytes = opts.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    this.ttlMs = Math.max(1, opts.retentionSeconds ?? DEFAULT_RETENTION_SECONDS) * 1000;
    this.keys = { entries: this.conn.key('dl', 'e'), index: this.conn.key('dl', 'i'), meta: this.conn.key('dl', 'm') };
    const client = this.conn.client;
    client.defineCommand('acDlAdd', { numberOfKeys: 3, lua: ADD });
    client.defineCommand('acDlList', { numberOfKeys: 2, lua: LIST });
    client.defineCommand('acDlTake', { numberOfKeys: 3, lua: TAKE });
    this.cmd = client as Redis & DeadLetterCommands;
  }

  async add(entry: DeadLetter): Promise<void> {
    const json = JSON.stringify(entry);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > this.maxEntryBytes) throw new DeadLetterTooLargeError(entry.id, bytes, this.maxEntryBytes);
    const { entries, index, meta } = this.keys;
    await this.conn.run(() => this.cmd.acDlAdd(entries, index, meta, entry.id, json, this.max, this.ttlMs));
  }

  async list(limit: number): Promise<DeadLetter[]> {
    const n = Math.min(Math.max(0, Math.floor(limit)), this.max);
    if (n === 0) return [];
    const raw = await this.conn.run(() => this.cmd.acDlList(this.keys.entries, this.keys.index, n));
    return raw.filter((json): json is string => typeof json === 'string').map((json) => JSON.parse(json) as DeadLetter);
  }

  async take(id: string): Promise<DeadLetter | undefined> {
    const { entries, index, meta } = this.keys;
    const json = await this.conn.run(() => this.cmd.acDlTake(entries, index, meta, id, this.ttlMs));
    return json === null ? undefined : (JSON.parse(json) as DeadLetter);
  }

  async stats(): Promise<{ count: number; dropped: number }> {
    const [count, dropped] = await this.conn.run((c) => Promise.all([c.zcard(this.keys.index), c.hget(this.keys.meta, 'dropped')]));
    return { count, dropped: Number(dropped ?? 0) };
  }

  /** Releases the connection (when this store opened it); the entries stay in Redis. */
  async close(): Promise<void> {
    if (this.owned) await this.conn.close();
  }
}
