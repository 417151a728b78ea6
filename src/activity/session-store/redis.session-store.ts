import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { resolveConnection, type RedisConnection, type RedisConnectionInput } from '../../redis/redis-connection';
import { actionTimeMs } from '../action-time';
import type { ActionsEvent } from '../activity.types';
import { decodeScope, encodeActionTail, encodeScope, fieldsOf, productPrefix, toSessionContext, type SnapshotRules } from './redis.session-store.codec';
import { AppendBatcher } from './redis.append-batcher';
import { appendScript } from './redis.session-store.append';
import { APPLY_SUMMARY, READ_RECENT, READ_SESSION, READ_USER, REFRESH_MS } from './redis.session-store.lua';
import {
  RECENT_SESSIONS_MAX,
  type AppendResult,
  type SessionContext,
  type SessionRef,
  type SessionScope,
  type SessionStore,
  type SessionStoreOptions,
  type StoreStats,
  type SummaryUpdate,
  type UserActivity,
} from './session-store.port';

export interface RedisSessionStoreOptions extends SessionStoreOptions {
  /** A shared connection (left open by close()) or options for one this store owns. */
  connection: RedisConnectionInput;
  /**
   * How long a user's session index and email outlive the user's last activity in
   * Redis. Default max(SESSION_TTL_SECONDS, LOOKBACK_SECONDS).
   */
  userTtlSeconds?: number;
}

/** Redis TTLs are a backstop behind the clock-based rules, so they run a little longer. */
const BACKSTOP_SLACK_MS = 60_000;
/** The generation counter must outlive any summary job that could still hold an old generation. */
const MIN_CLOCK_TTL_MS = 30 * 24 * 3600 * 1000;

type Flat = string[];

type AppendReply = [number, number, number, string];
type AppendCommand = (...args: Array<string | number>) => Promise<AppendReply[]>;

/** Most appends, and arguments, per script call (one append with more arguments is sent alone). */
const BATCH_MAX_APPENDS = 64;
const BATCH_MAX_ARGS = 4_096;

interface SessionCommands {
  acSessSummary(...args: Array<string | number>): Promise<number>;
  acSessRead(meta: string, actions: string): Promise<[Flat, Flat]>;
  acSessReadUser(...args: Array<string | number>): Promise<Array<string | Flat> | null>;
  acSessReadRecent(...args: Array<string | number>): Promise<Array<string | Flat>>;
}

/**
 * SESSION_STORE on Redis, shared by replicas (layout and scripts: redis.session-store.lua.ts).
 * Every mutation is one Lua script, so the port's atomicity holds across processes.
 * Rules that depend on time (lookback on occurredAt, idle expiry, user-index trimming)
 * use the injectable `now`, as the memory store does; Redis TTLs only make sure nothing
 * outlives them. Eviction beyond maxSessions / maxBytes / maxUsers follows last write
 * (a global tick), not last read, so reads stay read-only.
 *
 * `maxBytes` (SESSION_STORE_MAX_BYTES) is a budget for every replica on the prefix
 * together, measured on what is written to Redis (SESSION_BYTES in the scripts' file),
 * not on a process heap; 0 or undefined: bounded by MAX_SESSIONS alone.
 */
export class RedisSessionStore implements SessionStore {
  private readonly conn: RedisConnection;
  private readonly owned: boolean;
  private readonly cmd: Redis & SessionCommands;
  private readonly now: () => number;
  private readonly p: string;
  private readonly lookbackMs: number;
  private readonly sessionTtlMs: number;
  private readonly keyTtlMs: number;
  private readonly userTtlMs: number;
  private readonly clockTtlMs: number;
  /** TTL of the structures that track every session (sessions, sizes, users). */
  private readonly trackTtlMs: number;
  /** Appends gathered into calls of the append script, which has this store's settings in its source (see appendScript). */
  private readonly appends: AppendBatcher<AppendReply>;

  constructor(private readonly opts: RedisSessionStoreOptions) {
    ({ connection: this.conn, owned: this.owned } = resolveConnection(opts.connection));
    this.now = opts.now ?? Date.now;
    this.p = this.conn.key('ss', '');
    this.lookbackMs = opts.lookbackSeconds * 1000;
    this.sessionTtlMs = opts.sessionTtlSeconds * 1000;
    this.keyTtlMs = this.sessionTtlMs + BACKSTOP_SLACK_MS;
    this.userTtlMs = (opts.userTtlSeconds ?? Math.max(opts.sessionTtlSeconds, opts.lookbackSeconds)) * 1000 + BACKSTOP_SLACK_MS;
    this.clockTtlMs = Math.max(MIN_CLOCK_TTL_MS, 2 * this.keyTtlMs);
    this.trackTtlMs = Math.max(this.keyTtlMs, this.userTtlMs);
    const client = this.conn.client;
    const append = appendScript({
      prefix: this.p,
      lookbackMs: this.lookbackMs,
      maxActions: opts.maxActions,
      sessionTtlMs: this.sessionTtlMs,
      keyTtlMs: this.keyTtlMs,
      userTtlMs: this.userTtlMs,
      trackTtlMs: this.trackTtlMs,
      clockTtlMs: this.clockTtlMs,
      maxSessions: opts.maxSessions,
      maxUsers: opts.maxUsers,
      maxSessionsPerUser: opts.maxSessionsPerUser,
      maxBytes: opts.maxBytes ?? 0,
      refreshMs: REFRESH_MS,
    });
    // Named by its source: stores with other settings may share this connection.
    const appendName = `acSessAppend${createHash('sha1').update(append).digest('hex').slice(0, 12)}`;
    // No fixed key count: a call carries two keys per append, and passes their number first.
    client.defineCommand(appendName, { lua: append });
    const call = ((client as unknown as Record<string, AppendCommand>)[appendName]).bind(client);
    this.appends = new AppendBatcher<AppendReply>({
      send: (keys, args) => this.conn.run(() => call(keys.length, ...keys, ...args)),
      maxAppends: BATCH_MAX_APPENDS,
      maxArgs: BATCH_MAX_ARGS,
    });
    client.defineCommand('acSessSummary', { numberOfKeys: 5, lua: APPLY_SUMMARY });
    client.defineCommand('acSessRead', { numberOfKeys: 2, lua: READ_SESSION });
    client.defineCommand('acSessReadUser', { numberOfKeys: 2, lua: READ_USER });
    client.defineCommand('acSessReadRecent', { numberOfKeys: 1, lua: READ_RECENT });
    this.cmd = client as Redis & SessionCommands;
  }

  async appendActions(event: ActionsEvent): Promise<AppendResult> {
    if (!event.sessionId) return { stored: false, reason: 'missing_session_id' };
    const scope = { productId: event.productId, sessionId: event.sessionId };
    const member = encodeScope(scope);
    const email = event.email ?? '';
    const now = this.now();
    // When each action happened, on the same clock as receivedAt (the script stamps `now`).
    const occurred = event.actions.map((a) => actionTimeMs(a, now));
    let oldest = Infinity;
    for (const at of occurred) if (at < oldest) oldest = at;
    const args: Array<string | number> = [member, now, event.userId ?? '', email, email ? normaliseEmail(email) : '', occurred.length > 0 ? oldest : '', event.actions.length];
    for (let i = 0; i < event.actions.length; i++) args.push(encodeActionTail(event.actions[i], occurred[i]));
    const [firstSeq, lastSeq, unsummarised, owner] = await this.appends.submit([this.p + 's:' + member, this.p + 'a:' + member], args);
    return { stored: true, scope, userId: owner || undefined, firstSeq, lastSeq, unsummarised };
  }

  async applySummary(scope: SessionScope, update: SummaryUpdate): Promise<boolean> {
    const member = encodeScope(scope);
    const now = this.now();
    const opt = (v: number | undefined) => (v === undefined ? '' : v);
    const applied = await this.conn.run(() =>
      this.cmd.acSessSummary(
        this.p + 's:' + member,
        this.p + 'a:' + member,
        this.p + 'clock',
        this.p + 'sessions',
        this.p + 'sizes',
        this.p,
        member,
        now,
        this.sessionTtlMs,
        this.keyTtlMs + REFRESH_MS,
        update.text,
        opt(update.coversThroughSeq),
        opt(update.replaces),
        opt(update.generation),
        opt(update.expectedRevision),
        this.clockTtlMs + REFRESH_MS,
        this.trackTtlMs + REFRESH_MS,
        this.opts.maxSessions,
        this.opts.maxBytes ?? 0,
        now - this.lookbackMs,
      ),
    );
    return applied === 1;
  }

  async getSessionContext(scope: SessionScope): Promise<SessionContext | null> {
    const member = encodeScope(scope);
    const rules = this.rules();
    const [meta, actions] = await this.conn.run(() => this.cmd.acSessRead(this.p + 's:' + member, this.p + 'a:' + member));
    return toSessionContext(scope, fieldsOf(meta), actions, rules);
  }

  async getUserActivity(userId: string, opts: { productId?: string; maxSessions?: number } = {}): Promise<UserActivity | null> {
    const rules = this.rules();
    const limit = opts.maxSessions ?? this.opts.maxSessionsPerUser;
    const reply = await this.conn.run(() =>
      this.cmd.acSessReadUser(
        this.p + 'us:' + userId,
        this.p + 'u:' + userId,
        this.p,
        rules.now - this.lookbackMs,
        opts.productId === undefined ? '' : productPrefix(opts.productId),
        Math.max(0, limit),
      ),
    );
    if (reply === null) return null;
    const email = (reply[0] as string) || undefined;
    const sessions: SessionContext[] = [];
    for (let i = 1; i + 3 < reply.length; i += 4) {
      const ctx = toSessionContext(decodeScope(reply[i] as string), fieldsOf(reply[i + 2] as Flat), reply[i + 3] as Flat, rules);
      // The session must still belong to this user: an id taken over by someone else
      // (or re-created after eviction) never shows up under the previous user.
      if (ctx && ctx.userId === userId) sessions.push(ctx);
    }
    return { userId, email, sessions };
  }

  async getRecentSessions(userId: string, productId?: string): Promise<SessionRef[]> {
    const flat = await this.conn.run((c) => c.zrevrangebyscore(this.p + 'us:' + userId, '+inf', this.now() - this.lookbackMs, 'WITHSCORES'));
    const refs: SessionRef[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const scope = decodeScope(flat[i]);
      if (productId === undefined || scope.productId === productId) refs.push({ ...scope, lastSeenAt: Math.floor(Number(flat[i + 1])) });
    }
    return refs;
  }

  async listRecentSessions(limit: number): Promise<SessionContext[]> {
    const n = Math.max(0, Math.min(limit, RECENT_SESSIONS_MAX));
    if (n === 0) return [];
    const rules = this.rules();
    const reply = await this.conn.run(() => this.cmd.acSessReadRecent(this.p + 'sessions', this.p, rules.now - this.lookbackMs, n));
    const sessions: SessionContext[] = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      // Expired since its last write: the meta is gone (or idle past its TTL) and it is skipped.
      const ctx = toSessionContext(decodeScope(reply[i] as string), fieldsOf(reply[i + 1] as Flat), reply[i + 2] as Flat, rules);
      if (ctx) sessions.push(ctx);
    }
    return sessions;
  }

  async getEmail(userId: string): Promise<string | undefined> {
    return (await this.conn.run((c) => c.hget(this.p + 'u:' + userId, 'e'))) ?? undefined;
  }

  async findUserByEmail(email: string): Promise<string | undefined> {
    return (await this.conn.run((c) => c.get(this.p + 'x:' + normaliseEmail(email)))) ?? undefined;
  }

  async stats(): Promise<StoreStats> {
    const [sessions, users] = await this.conn.run((c) => Promise.all([c.zcard(this.p + 'sessions'), c.zcard(this.p + 'users')]));
    return { sessionsTracked: sessions, usersTracked: users };
  }

  async ping(): Promise<void> {
    await this.conn.ping();
  }

  async close(): Promise<void> {
    if (this.owned) await this.conn.close();
  }

  private rules(): SnapshotRules {
    return { now: this.now(), lookbackMs: this.lookbackMs, maxActions: this.opts.maxActions, sessionTtlMs: this.sessionTtlMs };
  }
}

/** The email index is case-insensitive, as in the memory store. */
function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
