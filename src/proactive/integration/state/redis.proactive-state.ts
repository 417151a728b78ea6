import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { DecisionLogLimits, ProactiveDecision, ProactiveStatePort, SessionProactiveState } from '../../engine';
import { parseState, serialiseState } from '../../engine';
import { resolveConnection, type RedisConnection, type RedisConnectionInput } from '../../../redis/redis-connection';

export interface RedisProactiveStateOptions {
  /** A shared connection (left open by close()) or options for one this store owns. */
  connection: RedisConnectionInput;
}

/**
 * Sliding-window slot: drop what left the window, count what is in (now - window, now],
 * add one member scored `now` when under the limit. One script, so concurrent callers on
 * any replica never take more than `limit` together. The Redis TTL is only garbage
 * collection; the window is measured on the `now` passed in.
 */
const ACQUIRE = `
local from = tonumber(ARGV[1]) - tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', from)
local taken = redis.call('ZCOUNT', KEYS[1], '(' .. from, ARGV[1])
if taken >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

/** Removes one member scored exactly `acquiredAt`. */
const RELEASE = `
local m = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1], 'LIMIT', 0, 1)
if m[1] then redis.call('ZREM', KEYS[1], m[1]) return 1 end
return 0
`;

interface Commands {
  acProactiveAcquire(key: string, now: number, windowMs: number, limit: number, member: string, gcMs: number): Promise<number>;
  acProactiveRelease(key: string, acquiredAt: number): Promise<number>;
}

/** Redis keeps a key at least this long past its logical expiry, so clock skew between replicas never loses state early. */
const GC_MARGIN_MS = 60_000;

/**
 * PROACTIVE_STATE on Redis, shared by replicas. Layout under the connection's prefix
 * (`<prefix>pro:<engine key>`): session states as strings `{"e":<expiresAt>,"s":<state>}`,
 * cap slots as ZSETs (score = acquiredAt), decision logs as LISTs of JSON (oldest
 * first, trimmed to maxEntries). Every key carries a Redis TTL.
 */
export class RedisProactiveState implements ProactiveStatePort {
  private readonly conn: RedisConnection;
  private readonly owned: boolean;

  constructor(opts: RedisProactiveStateOptions) {
    ({ connection: this.conn, owned: this.owned } = resolveConnection(opts.connection));
    this.conn.client.defineCommand('acProactiveAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    this.conn.client.defineCommand('acProactiveRelease', { numberOfKeys: 1, lua: RELEASE });
  }

  async getSessionState(key: string, now: number): Promise<SessionProactiveState | null> {
    const raw = await this.conn.run((c) => c.get(this.key(key)));
    if (raw === null) return null;
    let rec: { e?: unknown; s?: unknown };
    try {
      rec = JSON.parse(raw) as { e?: unknown; s?: unknown };
    } catch {
      return null;
    }
    if (typeof rec.e !== 'number' || typeof rec.s !== 'string' || now >= rec.e) return null;
    return parseState(rec.s);
  }

  async setSessionState(key: string, state: SessionProactiveState, ttlSeconds: number, now: number): Promise<void> {
    const value = JSON.stringify({ e: now + ttlSeconds * 1000, s: serialiseState(state) });
    await this.conn.run((c) => c.set(this.key(key), value, 'PX', ttlSeconds * 1000 + GC_MARGIN_MS));
  }

  async tryAcquire(key: string, limit: number, windowSeconds: number, now: number): Promise<boolean> {
    const windowMs = windowSeconds * 1000;
    const member = `${now}:${randomUUID()}`;
    const got = await this.conn.run((c) => (c as Redis & Commands).acProactiveAcquire(this.key(key), now, windowMs, limit, member, windowMs + GC_MARGIN_MS));
    return got === 1;
  }

  async release(key: string, acquiredAt: number): Promise<void> {
    await this.conn.run((c) => (c as Redis & Commands).acProactiveRelease(this.key(key), acquiredAt));
  }

  async appendDecision(key: string, decision: ProactiveDecision, _now: number, limits: DecisionLogLimits): Promise<void> {
    const k = this.key(key);
    const json = JSON.stringify(decision);
    await this.conn.run((c) =>
      c
        .multi()
        .rpush(k, json)
        .ltrim(k, -limits.maxEntries, -1)
        .pexpire(k, limits.maxAgeSeconds * 1000 + GC_MARGIN_MS)
        .exec(),
    );
  }

  async listDecisions(key: string, now: number, opts: { maxAgeSeconds: number; limit?: number }): Promise<ProactiveDecision[]> {
    const from = now - opts.maxAgeSeconds * 1000;
    const raw = await this.conn.run((c) => c.lrange(this.key(key), 0, -1));
    const out: ProactiveDecision[] = [];
    for (let i = raw.length - 1; i >= 0 && (opts.limit === undefined || out.length < opts.limit); i--) {
      const d = parseDecision(raw[i]);
      if (d && d.at >= from) out.push(d);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.owned) await this.conn.close();
  }

  private key(key: string): string {
    return this.conn.key('pro', key);
  }
}

function parseDecision(json: string): ProactiveDecision | null {
  try {
    const d = JSON.parse(json) as ProactiveDecision;
    return d && typeof d.at === 'number' && typeof d.id === 'string' ? d : null;
  } catch {
    return null;
  }
}
