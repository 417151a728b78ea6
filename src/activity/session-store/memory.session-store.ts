import { LRUCache } from 'lru-cache';
import type { ActionsEvent } from '../activity.types';
import { actionTimeMs } from '../action-time';
import { setResized } from '../../common/lru-resize';
import { scopeKey } from '../session-scope';
import {
  RECENT_SESSIONS_MAX,
  type AppendResult,
  type SessionContext,
  type SessionRef,
  type SessionScope,
  type SessionStore,
  type SessionStoreOptions,
  type SessionSummary,
  type StoreStats,
  type StoredAction,
  type SummaryUpdate,
  type UserActivity,
} from './session-store.port';

interface SessionRecord {
  productId: string;
  sessionId: string;
  userId?: string;
  email?: string;
  summary?: SessionSummary;
  actions: StoredAction[];
  nextSeq: number;
  lastActivityAt: number;
  generation: number;
  summaryRevision: number;
  /** Set when a different known user took the session over; `appended` counts actions since. */
  takenOver: boolean;
  appended: number;
  /** Approximate heap bytes of the record, kept up to date so the LRU's byte budget holds. */
  bytes: number;
  /** The size the LRU weighs the record at (its `bytes` when last re-inserted). */
  sizedAs: number;
  /** The part of `bytes` that is `actions`, kept as actions come and go (an append does not re-walk the list). */
  actionsBytes: number;
  /**
   * No held action occurred before this (a lower bound: dropping actions may leave it low),
   * so an append walks the list for the lookback cut only when something may have aged out.
   */
  oldestOccurredAt: number;
}

/** V8 strings are UTF-16 (two bytes per character); objects carry a header and slots. */
const RECORD_OVERHEAD_BYTES = 400;
const ACTION_OVERHEAD_BYTES = 220;
const strBytes = (s: string | undefined) => (s ? 2 * s.length : 0);

function actionBytes(a: StoredAction): number {
  return (
    ACTION_OVERHEAD_BYTES +
    strBytes(a.type) +
    strBytes(a.title) +
    strBytes(a.description) +
    strBytes(a.canonicalUrl) +
    strBytes(a.rawUrl) +
    strBytes(a.sessionId) +
    strBytes(a.userId) +
    strBytes(a.email)
  );
}

function actionsBytes(actions: readonly StoredAction[]): number {
  let n = 0;
  for (const a of actions) n += actionBytes(a);
  return n;
}

function recordBytes(rec: SessionRecord): number {
  return RECORD_OVERHEAD_BYTES + strBytes(rec.productId) + strBytes(rec.sessionId) + strBytes(rec.userId) + strBytes(rec.email) + strBytes(rec.summary?.text) + rec.actionsBytes;
}

interface UserRecord {
  email?: string;
  /** Newest first, at most maxSessionsPerUser. */
  sessions: SessionRef[];
}


/**
 * In-process SESSION_STORE. Every map is an LRU with a hard cap, so memory stays
 * bounded under any load: sessions by count (MAX_SESSIONS) and by bytes
 * (SESSION_STORE_MAX_BYTES), idle TTL, users (MAX_USERS), email index (MAX_USERS),
 * actions per session (MAX_ACTIONS), sessions per user.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions: LRUCache<string, SessionRecord>;
  private readonly users: LRUCache<string, UserRecord>;
  private readonly emailToUser: LRUCache<string, string>;
  private readonly now: () => number;
  private readonly lookbackMs: number;
  private generations = 0;

  constructor(private readonly opts: SessionStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.lookbackMs = opts.lookbackSeconds * 1000;
    // lru-cache's TTL clock is performance.now(); our clock may be injected, so
    // expiry by age is checked against `now` in reads instead of via `ttl`.
    this.sessions = new LRUCache<string, SessionRecord>({
      max: opts.maxSessions,
      ...(opts.maxBytes ? { maxSize: opts.maxBytes, sizeCalculation: (rec) => Math.max(1, rec.bytes) } : {}),
    });
    this.users = new LRUCache({ max: opts.maxUsers });
    this.emailToUser = new LRUCache({ max: opts.maxUsers });
  }

  async appendActions(event: ActionsEvent): Promise<AppendResult> {
    if (!event.sessionId) return { stored: false, reason: 'missing_session_id' };
    const now = this.now();
    const scope = { productId: event.productId, sessionId: event.sessionId };
    const key = scopeKey(scope);
    let rec = this.sessions.get(key);
    if (!rec || this.isExpired(rec, now)) {
      rec = this.newRecord(event.productId, event.sessionId, now);
    } else if (event.userId && rec.userId && event.userId !== rec.userId) {
      // A session id now claimed by a different known user: start over, so the
      // previous user's actions and summary can never reach the new user's prompt.
      rec.actions = [];
      rec.actionsBytes = 0;
      rec.oldestOccurredAt = Infinity;
      rec.summary = undefined;
      rec.email = undefined;
      rec.generation = ++this.generations;
      rec.summaryRevision = 0;
      rec.takenOver = true;
      rec.appended = 0;
    }
    const firstSeq = rec.nextSeq;
    let oldest = rec.oldestOccurredAt;
    for (const a of event.actions) {
      // An explicit literal keeps one compact hidden class; `{ ...a, seq }` builds a
      // dictionary-mode object about twice the size (measured in bench/ingest-memory.js).
      const stored: StoredAction = {
        index: a.index,
        type: a.type,
        title: a.title,
        description: a.description,
        canonicalUrl: a.canonicalUrl,
        rawUrl: a.rawUrl,
        timestampStart: a.timestampStart,
        timestampEnd: a.timestampEnd,
        sessionId: a.sessionId,
        userId: a.userId,
        email: a.email,
        seq: rec.nextSeq++,
        receivedAt: now,
        occurredAt: actionTimeMs(a, now),
      };
      rec.actions.push(stored);
      rec.actionsBytes += actionBytes(stored);
      if (stored.occurredAt < oldest) oldest = stored.occurredAt;
    }
    rec.oldestOccurredAt = oldest;
    rec.appended += event.actions.length;
    rec.lastActivityAt = now;
    if (event.userId) rec.userId = event.userId;
    if (event.email) rec.email = event.email;
    this.prune(rec, now);
    this.resize(key, rec);

    const userId = rec.userId;
    if (userId) this.indexUser(userId, rec.email, rec.productId, rec.sessionId, now);
    return { stored: true, scope, userId, firstSeq, lastSeq: rec.nextSeq - 1, unsummarised: rec.actions.length };
  }

  async applySummary(scope: SessionScope, update: SummaryUpdate): Promise<boolean> {
    const rec = this.sessions.get(scopeKey(scope));
    if (!rec) return false;
    if (update.generation !== undefined && update.generation !== rec.generation) return false;
    if (update.expectedRevision !== undefined && update.expectedRevision !== rec.summaryRevision) return false;
    // A connector summary cannot name its user; after a takeover, one that replaces more
    // actions than the new owner ever sent is about the previous owner's activity.
    if (update.replaces !== undefined && rec.takenOver && update.replaces > rec.appended) return false;
    const now = this.now();
    let covers = update.coversThroughSeq ?? 0;
    if (update.replaces !== undefined && update.replaces > 0) {
      const nth = rec.actions[Math.min(update.replaces, rec.actions.length) - 1];
      covers = Math.max(covers, nth ? nth.seq : 0);
    }
    // Summary first, then drop exactly what it covers: a reader never sees a gap.
    rec.summary = { text: update.text, updatedAt: now, coversThroughSeq: Math.max(covers, rec.summary?.coversThroughSeq ?? 0) };
    if (covers > 0) {
      rec.actions = rec.actions.filter((a) => a.seq > covers);
      rec.actionsBytes = actionsBytes(rec.actions);
    }
    rec.summaryRevision++;
    rec.lastActivityAt = now;
    this.resize(scopeKey(scope), rec);
    return true;
  }

  async getSessionContext(scope: SessionScope): Promise<SessionContext | null> {
    const now = this.now();
    const rec = this.sessions.get(scopeKey(scope));
    if (!rec || this.isExpired(rec, now)) return null;
    return this.snapshot(rec, now);
  }

  async getUserActivity(userId: string, opts: { productId?: string; maxSessions?: number } = {}): Promise<UserActivity | null> {
    const user = this.users.get(userId);
    if (!user) return null;
    const now = this.now();
    const refs = this.liveRefs(user, now, opts.productId).slice(0, opts.maxSessions ?? this.opts.maxSessionsPerUser);
    const sessions: SessionContext[] = [];
    for (const ref of refs) {
      const rec = this.sessions.get(scopeKey(ref));
      // The session record must still belong to this user: a session id reused by
      // another user (or re-created after eviction) never leaks across users.
      if (!rec || rec.userId !== userId || this.isExpired(rec, now)) continue;
      sessions.push(this.snapshot(rec, now));
    }
    return { userId, email: user.email, sessions };
  }

  async getRecentSessions(userId: string, productId?: string): Promise<SessionRef[]> {
    const user = this.users.get(userId);
    if (!user) return [];
    return this.liveRefs(user, this.now(), productId).map((r) => ({ ...r }));
  }

  async listRecentSessions(limit: number): Promise<SessionContext[]> {
    const n = Math.max(0, Math.min(limit, RECENT_SESSIONS_MAX));
    if (n === 0) return [];
    const now = this.now();
    // One pass over the sessions keeping the newest n (values() does not touch LRU recency,
    // so listing never changes what is evicted). O(sessions × n) at worst, bounded by MAX_SESSIONS.
    const top: SessionRecord[] = [];
    for (const rec of this.sessions.values()) {
      if (now - rec.lastActivityAt > this.lookbackMs || this.isExpired(rec, now)) continue;
      if (top.length === n && rec.lastActivityAt <= top[n - 1].lastActivityAt) continue;
      let i = top.length;
      while (i > 0 && top[i - 1].lastActivityAt < rec.lastActivityAt) i--;
      top.splice(i, 0, rec);
      if (top.length > n) top.pop();
    }
    return top.map((rec) => this.snapshot(rec, now));
  }

  async getEmail(userId: string): Promise<string | undefined> {
    return this.users.get(userId)?.email;
  }

  async findUserByEmail(email: string): Promise<string | undefined> {
    return this.emailToUser.get(email.trim().toLowerCase());
  }

  async stats(): Promise<StoreStats> {
    return { sessionsTracked: this.sessions.size, usersTracked: this.users.size };
  }

  async ping(): Promise<void> {
    /* always reachable */
  }

  async close(): Promise<void> {
    this.sessions.clear();
    this.users.clear();
    this.emailToUser.clear();
  }

  private indexUser(userId: string, email: string | undefined, productId: string, sessionId: string, now: number): void {
    const current = this.users.get(userId);
    const newest = current?.sessions[0];
    if (current && newest && newest.productId === productId && newest.sessionId === sessionId && (!email || current.email === email)) {
      // The common case, another action in the user's newest session: its ref moves forward in
      // place (refs never leave the store uncopied), and stale older refs are left for reads to skip.
      newest.lastSeenAt = now;
      const byEmail = email?.trim().toLowerCase();
      if (byEmail && this.emailToUser.get(byEmail) !== userId) this.emailToUser.set(byEmail, userId);
      return;
    }
    const ref: SessionRef = { productId, sessionId, lastSeenAt: now };
    const user = current ?? { sessions: [] };
    user.sessions = [ref, ...user.sessions.filter((r) => scopeKey(r) !== scopeKey(ref) && now - r.lastSeenAt <= this.lookbackMs)].slice(
      0,
      this.opts.maxSessionsPerUser,
    );
    if (email) {
      user.email = email;
      this.emailToUser.set(email.trim().toLowerCase(), userId);
    }
    this.users.set(userId, user);
  }

  private liveRefs(user: UserRecord, now: number, productId?: string): SessionRef[] {
    return user.sessions.filter((r) => now - r.lastSeenAt <= this.lookbackMs && (productId === undefined || r.productId === productId));
  }

  /** Every field set up front: one hidden class for all records, whatever is filled in later. */
  private newRecord(productId: string, sessionId: string, now: number): SessionRecord {
    return {
      productId,
      sessionId,
      userId: undefined,
      email: undefined,
      summary: undefined,
      actions: [],
      nextSeq: 1,
      lastActivityAt: now,
      generation: ++this.generations,
      summaryRevision: 0,
      takenOver: false,
      appended: 0,
      bytes: 0,
      sizedAs: -1,
      actionsBytes: 0,
      oldestOccurredAt: Infinity,
    };
  }

  /**
   * Re-inserts the record when its size moved by more than 1/16 of what the LRU weighs it at
   * (or it is not in the cache yet), so the byte budget binds within ~6% of its estimate while
   * a session at its MAX_ACTIONS cap (one in, one out: about the same size) costs no re-insert.
   * The caller has read the record with get(), which already made it the most recent.
   */
  private resize(key: string, rec: SessionRecord): void {
    rec.bytes = recordBytes(rec);
    if (rec.sizedAs >= 0 && Math.abs(rec.bytes - rec.sizedAs) <= rec.sizedAs >>> 4) return;
    rec.sizedAs = rec.bytes;
    setResized(this.sessions, key, rec);
  }

  private isExpired(rec: SessionRecord, now: number): boolean {
    return now - rec.lastActivityAt > this.opts.sessionTtlSeconds * 1000;
  }

  private prune(rec: SessionRecord, now: number): void {
    const cutoff = now - this.lookbackMs;
    // Actions can arrive out of order (late batches), so every one is checked, not just a prefix.
    if (rec.oldestOccurredAt < cutoff) {
      const kept: StoredAction[] = [];
      let oldest = Infinity;
      for (const a of rec.actions) {
        if (a.occurredAt >= cutoff) {
          kept.push(a);
          if (a.occurredAt < oldest) oldest = a.occurredAt;
        } else rec.actionsBytes -= actionBytes(a);
      }
      rec.actions = kept;
      rec.oldestOccurredAt = oldest;
    }
    const over = rec.actions.length - this.opts.maxActions;
    // One in, one out is the steady state of a busy session: shift() moves no copy into a new array.
    if (over === 1) rec.actionsBytes -= actionBytes(rec.actions.shift()!);
    else if (over > 1) for (const dropped of rec.actions.splice(0, over)) rec.actionsBytes -= actionBytes(dropped);
  }

  private snapshot(rec: SessionRecord, now: number): SessionContext {
    this.prune(rec, now);
    return {
      productId: rec.productId,
      sessionId: rec.sessionId,
      userId: rec.userId,
      email: rec.email,
      summary: rec.summary ? { ...rec.summary } : undefined,
      actions: rec.actions.map((a) => ({ ...a })),
      lastActivityAt: rec.lastActivityAt,
      generation: rec.generation,
      summaryRevision: rec.summaryRevision,
    };
  }
}
