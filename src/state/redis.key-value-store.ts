import type Redis from 'ioredis';
import { resolveConnection, type RedisConnection, type RedisConnectionInput } from '../redis/redis-connection';
import { ValueTooLargeError, type KeyValueStore, type KeyValueStoreOptions } from './key-value-store.port';

export interface RedisKeyValueStoreOptions extends KeyValueStoreOptions {
  /** A shared connection (left open by close()) or options for one this store owns. */
  connection: RedisConnectionInput;
}

/**
 * INCRBY and PEXPIRE in one step, so a counter never exists without its expiry (a
 * crash between two separate commands would leave it forever). A value that is not an
 * integer (a JSON string set through `set`) counts as 0, as in the memory store.
 */
const INCREMENT = `
local cur = redis.call('GET', KEYS[1])
if cur and not string.match(cur, '^%-?%d+$') then redis.call('DEL', KEYS[1]) end
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return v
`;

interface KvCommands {
  acKvIncrement(key: string, by: number, ttlMs: number): Promise<number>;
}

/**
 * KEY_VALUE_STORE on Redis: one string key per entry (`<prefix>kv:<key>`) holding the
 * value's JSON, always written with an expiry. Expiry runs on Redis' clock, so the
 * injectable `now` is ignored (the contract runs with `realClock`).
 */
export class RedisKeyValueStore implements KeyValueStore {
  private readonly conn: RedisConnection;
  private readonly owned: boolean;

  constructor(private readonly opts: RedisKeyValueStoreOptions) {
    ({ connection: this.conn, owned: this.owned } = resolveConnection(opts.connection));
    this.conn.client.defineCommand('acKvIncrement', { numberOfKeys: 1, lua: INCREMENT });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const json = await this.conn.run((c) => c.get(this.key(key)));
    return json === null ? undefined : (JSON.parse(json) as T);
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    const json = this.encode(key, value);
    await this.conn.run((c) => c.set(this.key(key), json, 'PX', ttlMs(ttlSeconds)));
  }

  async setIfAbsent<T>(key: string, value: T, ttlSeconds: number): Promise<boolean> {
    const json = this.encode(key, value);
    return (await this.conn.run((c) => c.set(this.key(key), json, 'PX', ttlMs(ttlSeconds), 'NX'))) === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.conn.run((c) => c.del(this.key(key)));
  }

  async increment(key: string, by: number, ttlSeconds: number): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new RangeError(`increment needs an integer step (got ${by})`);
    return this.conn.run((c) => (c as Redis & KvCommands).acKvIncrement(this.key(key), by, ttlMs(ttlSeconds)));
  }

  async ping(): Promise<void> {
    await this.conn.ping();
  }

  async close(): Promise<void> {
    if (this.owned) await this.conn.close();
  }

  private key(key: string): string {
    return this.conn.key('kv', key);
  }

  private encode(key: string, value: unknown): string {
    const json = JSON.stringify(value);
    // JSON.stringify(undefined) is undefined; storing it would read back as a parse error.
    if (json === undefined) throw new TypeError(`value for ${key.slice(0, 80)} is not JSON-serialisable`);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > this.opts.maxValueBytes) throw new ValueTooLargeError(key, bytes, this.opts.maxValueBytes);
    return json;
  }
}

/** At least one second, as in the memory store: every key expires, none at once. */
function ttlMs(ttlSeconds: number): number {
  return Math.max(1_000, Math.round(ttlSeconds * 1000));
}
