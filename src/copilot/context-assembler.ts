import { Inject, Injectable } from '@nestjs/common';
import { renderAction, renderSession, sanitizeActivityText } from '../activity/activity-context.renderer';
import { SESSION_STORE } from '../activity/activity.constants';
import type { SessionContext, SessionStore, StoredAction } from '../activity/session-store/session-store.port';
import { copilotConfig, type ConfigOf } from '../config/config.namespaces';
import { CONVERSATION_STORE } from './copilot.constants';
import type { ChatTurn } from './copilot.types';
import type { ConversationStore, ConversationTurn } from './conversation-store.port';
import { neutraliseMessage } from './copilot.prompt';
import { firstNameFromEmail } from './first-name';

/** At most this many of the user's sessions go into one prompt. */
export const MAX_PROMPT_SESSIONS = 3;
/** At most this many "since your last message" actions, newest kept. */
const MAX_NEW_ACTIONS = 15;
/** Share of MAX_CONTEXT_CHARS the delta block may use; the rest is for the activity block. */
const NEW_ACTIVITY_SHARE = 0.25;

export interface AssembledContext {
  userId?: string;
  firstName?: string;
  /** Rendered, sanitised, capped activity (empty when none). */
  activity: string;
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
 * Removes anything in activity text that could pass for our own prompt structure:
 * the block delimiters and the current-position marker.
 */
export function neutraliseDelimiters(s: string): string {
  return neutraliseMessage(s).replace(/←/g, '<-');
}

const clean = (s: string, max?: number) => neutraliseDelimiters(sanitizeActivityText(s, max));

function cleanAction(a: StoredAction): StoredAction {
  return {
    ...a,
    type: clean(a.type ?? '', 20),
    title: clean(a.title ?? ''),
    description: clean(a.description ?? ''),
    canonicalUrl: clean(a.canonicalUrl ?? '', 200),
    rawUrl: clean(a.rawUrl ?? '', 200),
  };
}

function cleanSession(s: SessionContext): SessionContext {
  return {
    ...s,
    sessionId: clean(s.sessionId, 80),
    productId: clean(s.productId, 80),
    summary: s.summary ? { ...s.summary, text: clean(s.summary.text, 2_000) } : undefined,
    actions: s.actions.map(cleanAction),
  };
}

/**
 * Renders sessions (newest first) within `budget` characters, dropping oldest
 * material first: older sessions, then the earliest actions of the newest session,
 * then its summary. The current-position action is always kept.
 */
export function renderWithinBudget(sessions: SessionContext[], budget: number, now: number): { text: string; dropped: number } {
  const currentIdx = sessions.findIndex((s) => s.actions.length > 0);
  const blocks = sessions.map((s, i) => renderSession(s, { markCurrent: i === currentIdx, now }));
  const full = blocks.join('\n\n');
  if (full.length <= budget) return { text: full, dropped: 0 };

  // Keep the newest sessions that fit whole; the one holding the current position is always kept.
  const keep = Math.max(0, currentIdx);
  let kept = blocks.slice(0, keep + 1);
  for (let i = keep + 1; i < blocks.length; i++) {
    const candidate = [...kept, blocks[i]].join('\n\n');
    if (candidate.length > budget) break;
    kept = [...kept, blocks[i]];
  }
  let text = kept.join('\n\n');
  if (text.length <= budget) return { text, dropped: full.length - text.length };

  // Still too long: keep only the session holding the current position and trim it line by line.
  const target = sessions[keep];
  const lines: string[] = [];
  const header = renderSession({ ...target, summary: undefined, actions: [] }, { markCurrent: false, now });
  const actionLines = target.actions.map((a, i) => renderAction(a, i + 1, i === target.actions.length - 1));
  const summaryLine = target.summary ? `Summary: ${target.summary.text}` : undefined;
  let omitted = 0;
  const build = (summary: string | undefined) => {
    lines.length = 0;
    lines.push(header);
    if (summary) lines.push(summary);
    if (omitted > 0) lines.push(`(${omitted} earlier action${omitted === 1 ? '' : 's'} omitted)`);
    if (actionLines.length > 0) lines.push('Recent actions (oldest first):', ...actionLines.slice(omitted));
    return lines.join('\n');
  };
  text = build(summaryLine);
  while (text.length > budget && omitted < actionLines.length - 1) {
    omitted++;
    text = build(summaryLine);
  }
  if (text.length > budget && summaryLine) {
    const room = budget - build(undefined).length - 1;
    text = build(room > 20 ? `${summaryLine.slice(0, room - 1)}…` : undefined);
  }
  if (text.length > budget) {
    // A budget smaller than one action line: keep the current position, cut from the front.
    text = `…${text.slice(text.length - budget + 1)}`;
  }
  return { text, dropped: full.length - text.length };
}

/**
 * Builds the context for one reply: the user's recent activity (product-scoped,
 * newest sessions first), the conversation's last turns and the actions since the
 * user's previous message. Every read is scoped to this user; nothing is shared.
 */
@Injectable()
export class ContextAssembler {
  constructor(
    @Inject(SESSION_STORE) private readonly sessions: SessionStore,
    @Inject(CONVERSATION_STORE) private readonly conversations: ConversationStore,
    @Inject(copilotConfig.KEY) private readonly cfg: ConfigOf<typeof copilotConfig>,
  ) {}

  /** `conversationKey` addresses the conversation store (defaults to the raw conversation id). */
  async assemble(turn: ChatTurn, now = Date.now(), conversationKey = turn.conversationId): Promise<AssembledContext> {
    const userId = turn.userId || (turn.email ? await this.sessions.findUserByEmail(turn.email) : undefined);
    const [activity, history, watermark] = await Promise.all([
      userId ? this.sessions.getUserActivity(userId, { productId: turn.productId || undefined }) : Promise.resolve(null),
      this.conversations.getTurns(conversationKey, this.cfg.historyTurns),
      this.conversations.getWatermark(conversationKey),
    ]);

    const recent = this.pickSessions(activity?.sessions ?? [], turn.sessionId).map(cleanSession);
    const newActions = watermark === undefined ? undefined : this.actionsSince(recent, watermark);
    const newBudget = Math.floor(this.cfg.maxContextChars * NEW_ACTIVITY_SHARE);
    const newActivity = newActions === undefined ? undefined : this.renderNew(newActions, newBudget);
    const budget = this.cfg.maxContextChars - (newActivity?.length ?? 0);
    const rendered = renderWithinBudget(recent, budget, now);

    const seen = recent.flatMap((s) => s.actions.map((a) => a.receivedAt));
    const email = turn.email || activity?.email;
    return {
      userId,
      firstName: firstNameFromEmail(email),
      activity: rendered.text,
      newActivity,
      history: dropLeadingAssistant(history),
      alreadyGreeted: history.some((t) => t.role === 'assistant'),
      nextWatermark: seen.length > 0 ? Math.max(...seen) : (watermark ?? now),
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

/** Model APIs expect a conversation to open with the user; a window cut mid-pair may not. */
function dropLeadingAssistant(turns: ConversationTurn[]): ConversationTurn[] {
  let i = 0;
  while (i < turns.length && turns[i].role === 'assistant') i++;
  return i === 0 ? turns : turns.slice(i);
}
