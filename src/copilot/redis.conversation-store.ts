import type Redis from 'ioredis';
import { resolveConnection, type RedisConnection, type RedisConnectionInput } from '../redis/redis-connection';
import type { ConversationStore, ConversationTurn } from './conversation-store.port';

export interface RedisConversationStoreOptions {
  /** A shared connection (left open by close()) or options for one this store owns. */
  connection: RedisConnectionInput;
  /** A conversation with no new turn or watermark for this long is forgotten. Default 7 days. */
  idleTtlSeconds?: number;
}

const DEFAULT_IDLE_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Raise-only watermark: compare and set in one step, so two replicas finishing replies
 * out of order cannot move it backwards. Either way the conversation's keys are kept
 * alive together.
 */
const SET_WATERMARK = `
local cur = tonumber(redis.call('GET', KEYS[1]))
if cur == nil or tonumber(ARGV[1]) > cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
`;

interface ConversationCommands {
  acConvWatermark(watermarkKey: string, turnsKey: string, at: string, ttlMs: number): Promise<number>;
}

/**
 * CONVERSATION_STORE on Redis, shared by replicas. Per conversation: a list of turn
 * JSON (`cv:t:<id>`, capped with LTRIM) and the watermark (`cv:w:<id>`); per dedupe
 * claim a string (`cv:c:<key>`, SET NX with the claim's TTL). Every write refreshes
 * the conversation's idle expiry, so nothing is kept forever; there is no count cap
 * as in the memory store (Redis' maxmemory policy is the backstop).
 */
export class RedisConversationStore implements ConversationStore {
  private readonly conn: RedisConnection;
  private readonly owned: boolean;
  private readonly idleTtlMs: number;

  constructor(opts: RedisConversationStoreOptions) {
    ({ connection: this.conn, owned: this.owned } = resolveConnection(opts.connection));
    this.idleTtlMs = Math.max(1, opts.idleTtlSeconds ?? DEFAULT_IDLE_TTL_SECONDS) * 1000;
    this.conn.client.defineCommand('acConvWatermark', { numberOfKeys: 2, lua: SET_WATERMARK });
  }

  async appendTurns(conversationId: string, turns: ConversationTurn[], maxTurns: number): Promise<void> {
    const key = this.turnsKey(conversationId);
    const keep = Math.max(0, Math.floor(maxTurns));
    if (keep === 0) {
      await this.conn.run((c) => c.del(key));
      return;
    }
    const tx = this.conn.client.multi();
    if (turns.length > 0) tx.rpush(key, ...turns.map((t) => JSON.stringify({ role: t.role, text: t.text, at: t.at })));
    tx.ltrim(key, -keep, -1).pexpire(key, this.idleTtlMs).pexpire(this.watermarkKey(conversationId), this.idleTtlMs);
    await this.conn.run(() => execOrThrow(tx));
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
    await this.conn.run((c) =>
      (c as Redis & ConversationCommands).acConvWatermark(this.watermarkKey(conversationId), this.turnsKey(conversationId), String(at), this.idleTtlMs),
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

  private watermarkKey(id: string): string {
    return this.conn.key('cv', 'w', id);
  }

  private claimKey(key: string): string {
    return this.conn.key('cv', 'c', key);
  }
}

/** EXEC and surface the first command error (ioredis reports them per command). */
async function execOrThrow(tx: ReturnType<Redis['multi']>): Promise<void> {
  const results = await tx.exec();
  if (results === null) throw new Error('redis transaction aborted');
  for (const [err] of results) if (err) throw err;
}
