import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { resolveConnection, type RedisConnection, type RedisConnectionInput } from '../../redis/redis-connection';

export interface RedisThrottlerStorageOptions {
  /** A shared connection (left open by close()) or options for one this storage owns. */
  connection: RedisConnectionInput;
}

/** What @nestjs/throttler v6 expects back from `increment` (its ThrottlerStorageRecord). */
export interface ThrottlerRecord {
  totalHits: number;
  /** Seconds until the window resets. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until a blocked tracker may try again (Retry-After). */
  timeToBlockExpire: number;
}

/**
 * A fixed window per tracker and throttler, decided in one script so replicas share one
 * budget without a read-then-write race.
 *   KEYS: hits counter, block marker    ARGV: ttlMs, limit, blockDurationMs
 *   Returns {totalHits, windowLeftMs, blocked 0/1, blockLeftMs}.
 * While blocked, hits are not counted. With a block duration, the hit past the limit
 * starts the block and the window starts over once it ends (as the in-memory storage
 * does); without one, hits past the limit are refused until the window resets.
 */
const INCREMENT = `
local hits, block = KEYS[1], KEYS[2]
local ttl, limit, blockMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local blockedFor = redis.call('PTTL', block)
if blockedFor > 0 then
  return {tonumber(redis.call('GET', block)) or (limit + 1), blockedFor, 1, blockedFor}
end
if blockMs <= 0 then
  local cur = tonumber(redis.call('GET', hits)) or 0
  if cur >= limit then
    local left = math.max(redis.call('PTTL', hits), 0)
    return {cur + 1, left, 1, left}
  end
end
local n = redis.call('INCR', hits)
local left = redis.call('PTTL', hits)
if left < 0 then
  redis.call('PEXPIRE', hits, ttl)
  left = ttl
end
if blockMs > 0 and n > limit then
  redis.call('SET', block, n, 'PX', blockMs)
  redis.call('DEL', hits)
  return {n, blockMs, 1, blockMs}
end
return {n, left, 0, 0}
`;

interface ThrottlerCommands {
  acThrottle(hits: string, block: string, ttlMs: number, limit: number, blockMs: number): Promise<[number, number, number, number]>;
}

/**
 * @nestjs/throttler storage on Redis (`<prefix>rl:<throttler>:<key>:h|b`, both with an
 * expiry), so a per-user chat limit holds across replicas: pass it as `storage` in
 * ThrottlerModule options. Windows are fixed (a burst straddling a boundary can reach
 * twice the limit), where the in-memory storage expires each hit on its own. When Redis
 * is unreachable, increment rejects with RedisUnavailableError (answer 503) rather than
 * letting every request through unmetered.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly conn: RedisConnection;
  private readonly owned: boolean;
  private readonly cmd: Redis & ThrottlerCommands;

  constructor(opts: RedisThrottlerStorageOptions) {
    ({ connection: this.conn, owned: this.owned } = resolveConnection(opts.connection));
    this.conn.client.defineCommand('acThrottle', { numberOfKeys: 2, lua: INCREMENT });
    this.cmd = this.conn.client as Redis & ThrottlerCommands;
  }

  /** ttl and blockDuration in ms (as the guard passes them); the record's times in seconds. */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerRecord> {
    const base = this.conn.key('rl', throttlerName, key);
    const [totalHits, windowLeftMs, blocked, blockLeftMs] = await this.conn.run(() =>
      this.cmd.acThrottle(`${base}:h`, `${base}:b`, Math.max(1, Math.round(ttl)), limit, Math.max(0, Math.round(blockDuration))),
    );
    return {
      totalHits,
      timeToExpire: Math.ceil(windowLeftMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: blocked === 1 ? Math.ceil(blockLeftMs / 1000) : 0,
    };
  }

  async close(): Promise<void> {
    if (this.owned) await this.conn.close();
  }
}
