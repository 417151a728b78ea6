import { Inject, Injectable } from '@nestjs/common';
import { renderAction } from '../activity/activity-context.renderer';
import { ActivityReader } from '../activity/activity-reader.service';
import type { SessionContext, StoredAction, UserActivity } from '../activity/session-store/session-store.port';
import { copilotConfig, type ConfigOf } from '../config/config.namespaces';
import type { LlmGrounding } from '../llm/llm.port';
import { CONVERSATION_STORE } from './copilot.constants';
import type { ChatTurn } from './copilot.types';
import type { ConversationStore, ConversationTurn } from './conversation-store.port';
import { cleanSession, renderWithinBudget } from './context-renderer';
import { firstNameFromEmail } from './first-name';

/** At most this many of the user's sessions go into one prompt. */
export const MAX_PROMPT_SESSIONS = 3;
/** At most this many "since your last message" actions, newest kept. */
const MAX_NEW_ACTIONS = 15;
/** Share of MAX_CONTEXT_CHARS the delta block may use; the rest is for the activity block. */
const NEW_ACTIVITY_SHARE = 0.25;

export interface AssembledContext {
  userId?: string;
  email?: string;
  firstName?: string;
  /** Rendered, sanitised, capped activity (empty when none). */
  activity: string;
  /** The activity block's content as data (for the offline provider). */
  grounding: LlmGrounding;
  /** The sessions the prompt draws on, newest first (cleaned, before the budget). */
  sessions: SessionContext[];
  /** Actions since the previous reply in this conversation; undefined on a first message. */
  newActivity?: string;
  history: ConversationTurn[];
  alreadyGreeted: boolean;
  /** Where the conversation watermark moves once a reply has been produced. */
  nextWatermark: number;
  /** Characters dropped to respect MAX_CONTEXT_CHARS (for logs). */
  droppedChars: number;
}

/**
 * Builds the context for one reply: the user's recent activity (product-scoped,
 * newest sessions first), the conversation's last turns and the actions since the
 * user's previous message. Every read is scoped to this user; nothing is shared.
 */
@Injectable()
export class ContextAssembler {
  constructor(
    private readonly reader: ActivityReader,
    @Inject(CONVERSATION_STORE) private readonly conversations: ConversationStore,
    @Inject(copilotConfig.KEY) private readonly cfg: Pick<ConfigOf<typeof copilotConfig>, 'historyTurns' | 'maxContextChars'>,
  ) {}

  /** `conversationKey` addresses the conversation store (defaults to the raw conversation id). */
  async assemble(turn: ChatTurn, now = Date.now(), conversationKey = turn.conversationId): Promise<AssembledContext> {
    const userId = turn.userId || (turn.email ? await this.reader.findUserByEmail(turn.email) : undefined);
    const [activity, history, watermark] = await Promise.all([
      userId ? this.reader.getUserActivity(userId, { productId: turn.productId || undefined }) : Promise.resolve(null),
      this.conversations.getTurns(conversationKey, this.cfg.historyTurns),
      this.conversations.getWatermark(conversationKey),
    ]);
    return this.build(userId, activity, { sessionId: turn.sessionId, email: turn.email, history, watermark, now });
  }

  /** True when the user has a summary or raw actions in the lookback window. */
  hasActivity(userId: string, productId?: string): Promise<boolean> {
    return this.reader.hasActivity(userId, productId || undefined);
  }

  /**
   * What a reply for this user would see right now, with no conversation behind it
   * (the first message of a new chat). Null when the user was never seen.
   */
  async preview(userId: string, productId?: string, now = Date.now()): Promise<AssembledContext | null> {
    const activity = await this.reader.getUserActivity(userId, { productId: productId || undefined });
    if (!activity) return null;
    return this.build(userId, activity, { history: [], now });
  }

  private build(
    userId: string | undefined,
    activity: UserActivity | null,
    opts: { sessionId?: string; email?: string; history: ConversationTurn[]; watermark?: number; now: number },
  ): AssembledContext {
    const recent = this.pickSessions(activity?.sessions ?? [], opts.sessionId).map(cleanSession);
    const newActions = opts.watermark === undefined ? undefined : this.actionsSince(recent, opts.watermark);
    const newBudget = Math.floor(this.cfg.maxContextChars * NEW_ACTIVITY_SHARE);
    const newActivity = newActions === undefined ? undefined : this.renderNew(newActions, newBudget);
    const budget = this.cfg.maxContextChars - (newActivity?.length ?? 0);
    const rendered = renderWithinBudget(recent, budget, opts.now);

    const seen = recent.flatMap((s) => s.actions.map((a) => a.receivedAt));
    const email = opts.email || activity?.email;
    return {
      userId,
      email,
      firstName: firstNameFromEmail(email),
      activity: rendered.text,
      grounding: rendered.grounding,
      sessions: recent,
      newActivity,
      history: openWithUser(opts.history),
      alreadyGreeted: opts.history.some((t) => t.role === 'assistant'),
      nextWatermark: seen.length > 0 ? Math.max(...seen) : (opts.watermark ?? opts.now),
      droppedChars: rendered.dropped,
    };
  }

  /** The newest MAX_PROMPT_SESSIONS sessions, with the session the channel named (if it is this user's) first. */
  private pickSessions(sessions: SessionContext[], sessionId?: string): SessionContext[] {
    const withContent = sessions.filter((s) => s.summary || s.actions.length > 0);
    if (sessionId) {
      const i = withContent.findIndex((s) => s.sessionId === sessionId);
      if (i > 0) withContent.unshift(...withContent.splice(i, 1));
    }
    return withContent.slice(0, MAX_PROMPT_SESSIONS);
  }

  private actionsSince(sessions: SessionContext[], watermark: number): StoredAction[] {
    const fresh = sessions.flatMap((s) => s.actions.filter((a) => a.receivedAt > watermark));
    fresh.sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);
    return fresh.slice(-MAX_NEW_ACTIONS);
  }

  private renderNew(actions: StoredAction[], budget: number): string {
    const lines = actions.map((a, i) => renderAction(a, i + 1, false));
    while (lines.length > 1 && lines.join('\n').length > budget) lines.shift();
    const text = lines.join('\n');
    return text.length > budget ? text.slice(0, budget) : text;
  }
}

/** Stands in for the user's side when the history opens with the assistant. */
export const OPENED_BY_ASSISTANT = '(No earlier message from the user is shown: the conversation continues from the assistant\'s message below.)';

/**
 * Model APIs expect a conversation to open with the user. A window cut mid-pair opens
 * with an answer whose question is gone: dropped. A proactive nudge (the assistant spoke
 * first, `unprompted`) is kept behind a neutral user turn, so "yes please" continues from it.
 */
function openWithUser(turns: ConversationTurn[]): ConversationTurn[] {
  let i = 0;
  while (i < turns.length && turns[i].role === 'assistant' && !turns[i].unprompted) i++;
  const rest = i === 0 ? turns : turns.slice(i);
  if (rest.length === 0 || rest[0].role === 'user') return rest;
  return [{ role: 'user', text: OPENED_BY_ASSISTANT, at: rest[0].at }, ...rest];
}
