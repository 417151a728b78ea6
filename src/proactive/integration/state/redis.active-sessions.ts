import { resolveConnection, type RedisConnection, type RedisConnectionInput } from '../../../redis/redis-connection';
import { MAX_ACTIVE_SESSIONS, activeMember, parseActiveMember, type ActiveSession, type ActiveSessionIndex } from './active-sessions.port';

/** One ZSET `<prefix>pro:active` (member `<product>:<session>`, score = last seen), trimmed on read and bounded by rank. */
export class RedisActiveSessions implements ActiveSessionIndex {
  private readonly conn: RedisConnection;
  private readonly owned: boolean;
  private readonly key: string;

  constructor(
    opts: { connection: RedisConnectionInput },
    private readonly ttlMs = 86_400_000,
    private readonly max = MAX_ACTIVE_SESSIONS,
  ) {
    ({ connection: this.conn, owned: this.owned } = resolveConnection(opts.connection));
    this.key = this.conn.key('pro', 'active');
  }

  async touch(productId: string, sessionId: string, at: number): Promise<void> {
    // GT: a late write with an older time never moves a session back.
    await this.conn.run((c) => c.multi().zadd(this.key, 'GT', at, activeMember(productId, sessionId)).pexpire(this.key, this.ttlMs).exec());
  }

  async listSince(since: number, limit: number): Promise<ActiveSession[]> {
    const res = await this.conn.run((c) =>
      c
        .multi()
        .zremrangebyscore(this.key, '-inf', `(${since}`)
        .zremrangebyrank(this.key, 0, -(this.max + 1))
        .zrevrangebyscore(this.key, '+inf', since, 'WITHSCORES', 'LIMIT', 0, limit)
        .exec(),
    );
    const flat = (res?.[2]?.[1] as string[] | undefined) ?? [];
    const out: ActiveSession[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const scope = parseActiveMember(flat[i]);
      if (scope) out.push({ ...scope, lastSeenAt: Number(flat[i + 1]) });
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.owned) await this.conn.close();
  }
}
