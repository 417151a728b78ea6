import { Inject, Injectable, Optional } from '@nestjs/common';
import { ActivityReader } from '../activity/activity-reader.service';
import { IngestStats, type SourceCounts } from '../activity/ingest-stats.service';
import type { SessionContext } from '../activity/session-store/session-store.port';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import type { UserConversation } from '../copilot/conversation-directory';
import { CopilotService } from '../copilot/copilot.service';
import { HealthRegistry, type ComponentStatus } from '../observability/health.registry';
import { RecentErrors, type RecentError } from '../observability/recent-errors';
import type { ConsoleDecision, ConsoleDecisions } from './console-decisions.port';
import { CONSOLE_DECISIONS } from './console.constants';
import { lastMinutes, ReplyRates, type MinuteCount } from './reply-rates';

/** Sessions the live list shows (the store caps it further at RECENT_SESSIONS_MAX). */
export const LIST_LIMIT = 100;
/** Search text longer than this is cut (it only filters ids and emails). */
export const MAX_QUERY_CHARS = 200;
const DECISIONS_PER_USER = 20;
const TURNS_PER_CONVERSATION = 20;

/** null: the proactive engine is off (nothing bound to CONSOLE_DECISIONS). */
export type ProactiveState = ConsoleDecision | 'none' | null;

export interface SessionRow {
  session: SessionContext;
  /** The page of the newest action (the "current page"). */
  currentPage?: string;
  currentTitle?: string;
  proactive: ProactiveState;
}

export interface TimelineSummary {
  productId: string;
  sessionId: string;
  at: number;
  text: string;
  by: 'summarizer' | 'connector';
}

export interface Timeline {
  userId: string;
  email?: string;
  sessions: SessionContext[];
  /** Rolling summaries as they were made, newest first, across the user's sessions. */
  summaries: TimelineSummary[];
  /** The activity block exactly as a reply's prompt would carry it now (the copilot's own renderer). */
  context: string;
  conversations: UserConversation[];
  /** Newest first; null when the proactive engine is off. */
  decisions: ConsoleDecision[] | null;
}

export interface SystemView {
  components: Record<string, ComponentStatus>;
  sources: Record<string, SourceCounts>;
  drivers: { store: string; queue: string; role: string };
  errors: RecentError[];
  replies: MinuteCount[];
  /** Null when the proactive engine is off. */
  nudges: MinuteCount[] | null;
}

/**
 * Everything the console pages show, read through the app's public services only:
 * ActivityReader (sessions, actions, summaries), CopilotService (the prompt context,
 * conversations), the observability registry (health), and the optional decisions provider.
 */
@Injectable()
export class ConsoleData {
  constructor(
    private readonly reader: ActivityReader,
    private readonly copilot: CopilotService,
    private readonly health: HealthRegistry,
    private readonly ingest: IngestStats,
    private readonly errors: RecentErrors,
    private readonly rates: ReplyRates,
    @Inject(storeConfig.KEY) private readonly store: ConfigOf<typeof storeConfig>,
    @Optional() @Inject(CONSOLE_DECISIONS) private readonly decisions?: ConsoleDecisions | null,
  ) {}

  get proactiveOn(): boolean {
    return Boolean(this.decisions);
  }

  /** Live sessions, newest first; `query` keeps those whose user id or email contains it (case-insensitive). */
  async sessions(query = ''): Promise<SessionRow[]> {
    const q = query.trim().toLowerCase().slice(0, MAX_QUERY_CHARS);
    const all = await this.reader.listRecentSessions(LIST_LIMIT);
    const kept = q ? all.filter((s) => (s.userId ?? '').toLowerCase().includes(q) || (s.email ?? '').toLowerCase().includes(q)) : all;
    return Promise.all(
      kept.map(async (session) => {
        const last = session.actions[session.actions.length - 1];
        return { session, currentPage: last?.canonicalUrl || undefined, currentTitle: last?.title || undefined, proactive: await this.latestDecision(session.userId) };
      }),
    );
  }

  /** A user's timeline; null for a user never seen (or evicted). */
  async timeline(userId: string): Promise<Timeline | null> {
    const [activity, preview, conversations, decisions] = await Promise.all([
      this.reader.getUserActivity(userId),
      this.copilot.previewContext(userId),
      this.copilot.userConversations(userId, TURNS_PER_CONVERSATION),
      this.decisions ? this.decisions.listForUser(userId, DECISIONS_PER_USER) : Promise.resolve(null),
    ]);
    if (!activity && conversations.length === 0) return null;
    const sessions = activity?.sessions ?? [];
    return {
      userId,
      email: activity?.email,
      sessions,
      summaries: await this.summaries(sessions),
      context: preview?.activity ?? '',
      conversations,
      decisions,
    };
  }

  async system(now = Date.now()): Promise<SystemView> {
    await this.rates.sample(now);
    return {
      components: await this.health.collect(),
      sources: this.ingest.bySource(),
      drivers: { store: this.store.driver, queue: this.store.queue, role: this.store.role },
      errors: this.errors.list(),
      replies: await this.rates.series('replies', now),
      nudges: await this.nudgesPerMinute(now),
    };
  }

  private async summaries(sessions: SessionContext[]): Promise<TimelineSummary[]> {
    const histories = await Promise.all(sessions.map((s) => this.reader.summaryHistory(s)));
    const out = sessions.flatMap((s, i) => {
      const scope = { productId: s.productId, sessionId: s.sessionId };
      const history = histories[i].map((h) => ({ ...scope, ...h }));
      // The current summary is always shown, even if its history entry was never written.
      const current = s.summary && !histories[i].some((h) => h.at === s.summary!.updatedAt) ? [{ ...scope, at: s.summary.updatedAt, text: s.summary.text, by: 'summarizer' as const }] : [];
      return [...current, ...history];
    });
    return out.sort((a, b) => b.at - a.at);
  }

  private async latestDecision(userId: string | undefined): Promise<ProactiveState> {
    if (!this.decisions) return null;
    if (!userId) return 'none';
    const [latest] = await this.decisions.listForUser(userId, 1);
    return latest ?? 'none';
  }

  /** From the provider's own list when it has one, else from the engine's decision counter; null while the engine is off. */
  private async nudgesPerMinute(now: number): Promise<MinuteCount[] | null> {
    if (!this.decisions) return null;
    if (!this.decisions.listRecent) return this.rates.series('nudges', now);
    const sent = (await this.decisions.listRecent(1_000)).filter((d) => d.outcome === 'sent');
    return lastMinutes(now).map((at) => ({ at, count: sent.filter((d) => d.at >= at && d.at < at + 60_000).length }));
  }
}
