import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { SESSION_STORE } from '../../activity/activity.constants';
import type { SessionStore } from '../../activity/session-store/session-store.port';
import { CrispApiClient } from './crisp-api.client';
import { toEmail, toUserId } from './crisp-webhook.schema';

export interface CrispUser {
  userId?: string;
  email?: string;
  /** How the user id was found. */
  source: 'session_data' | 'email' | 'none';
}

interface Known {
  userId?: string;
  email?: string;
  /** Epoch ms of the last conversation-meta lookup. */
  metaCheckedAt?: number;
}

export interface CrispUserResolverOptions {
  maxSessions: number;
  /** A session whose meta had no user id is looked up again after this long (the web app may set it later). */
  metaRecheckMs: number;
  now?: () => number;
}

export const DEFAULT_RESOLVER_OPTIONS: CrispUserResolverOptions = { maxSessions: 20_000, metaRecheckMs: 5 * 60_000 };
export const CRISP_RESOLVER_OPTIONS = Symbol('CRISP_RESOLVER_OPTIONS');

/**
 * Maps a Crisp session to the product user: session data `user_id` (from
 * session:set_data hooks or the conversation meta), else the session email matched
 * against the activity user index. Per-session knowledge sits in a bounded LRU.
 * Session data is set by the browser, so it identifies, it does not authenticate.
 */
@Injectable()
export class CrispUserResolver {
  private readonly logger = new Logger(CrispUserResolver.name);
  private readonly known: LRUCache<string, Known>;
  private readonly opts: CrispUserResolverOptions;
  private readonly now: () => number;

  constructor(
    private readonly crisp: CrispApiClient,
    @Inject(SESSION_STORE) private readonly sessions: SessionStore,
    @Optional() @Inject(CRISP_RESOLVER_OPTIONS) opts?: CrispUserResolverOptions,
  ) {
    this.opts = opts ?? DEFAULT_RESOLVER_OPTIONS;
    this.now = this.opts.now ?? Date.now;
    this.known = new LRUCache({ max: this.opts.maxSessions, ttl: 86_400_000 });
  }

  /** From a session:set_data hook. */
  rememberData(sessionId: string, data: Record<string, unknown>): void {
    const userId = toUserId(data.user_id);
    const email = toEmail(data.email);
    if (userId || email) this.merge(sessionId, { userId, email });
  }

  /** From a session:set_email hook. */
  rememberEmail(sessionId: string, email: string): void {
    const clean = toEmail(email);
    if (clean) this.merge(sessionId, { email: clean });
  }

  async resolve(sessionId: string): Promise<CrispUser> {
    let entry = this.known.get(sessionId) ?? {};
    const stale = entry.metaCheckedAt === undefined || this.now() - entry.metaCheckedAt > this.opts.metaRecheckMs;
    if (!entry.userId && stale) entry = await this.lookUpMeta(sessionId, entry);

    if (entry.userId) return { userId: entry.userId, email: entry.email, source: 'session_data' };
    if (entry.email) {
      const userId = await this.sessions.findUserByEmail(entry.email);
      if (userId) return { userId, email: entry.email, source: 'email' };
    }
    return { email: entry.email, source: 'none' };
  }

  private async lookUpMeta(sessionId: string, entry: Known): Promise<Known> {
    try {
      const meta = await this.crisp.getConversationMeta(sessionId);
      // Values pushed by hooks are newer than nothing but no newer than the meta; keep hook values when both exist.
      const next: Known = {
        userId: entry.userId ?? toUserId(meta.data?.user_id),
        email: entry.email ?? toEmail(meta.email),
        metaCheckedAt: this.now(),
      };
      this.known.set(sessionId, next);
      return next;
    } catch (err) {
      // Answering without activity beats not answering: the reply goes out either way.
      this.logger.warn({ sessionId, err: err instanceof Error ? err.message : String(err) }, 'could not read Crisp conversation meta');
      return entry;
    }
  }

  private merge(sessionId: string, update: Partial<Known>): void {
    const prev = this.known.get(sessionId) ?? {};
    this.known.set(sessionId, { ...prev, ...Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)) });
  }
}
