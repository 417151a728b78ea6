import { describeAction, renderAction, renderSession, sanitizeActivityText } from '../activity/activity-context.renderer';
import type { SessionContext, StoredAction } from '../activity/session-store/session-store.port';
import { neutraliseDelimiters as neutraliseBlocks } from '../common/text';
import type { GroundingAction, LlmGrounding } from '../llm/llm.port';

/**
 * The one renderer of "what the copilot sees": the activity block of the prompt, and
 * the same content as structured grounding. `GET /v1/users/:id/context` and the reply
 * path both go through here, so the preview is exactly what a reply would use.
 */

export interface RenderedActivity {
  text: string;
  /** Characters dropped to respect the budget (for logs). */
  dropped: number;
  grounding: LlmGrounding;
}

/**
 * Removes anything in activity text that could pass for our own prompt structure:
 * the block delimiters and the current-position marker.
 */
export function neutraliseDelimiters(s: string): string {
  return neutraliseBlocks(s).replace(/←/g, '<-');
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

/** Activity text is untrusted: every field sanitised, capped and stripped of our delimiters. */
export function cleanSession(s: SessionContext): SessionContext {
  return {
    ...s,
    sessionId: clean(s.sessionId, 80),
    productId: clean(s.productId, 80),
    summary: s.summary ? { ...s.summary, text: clean(s.summary.text, 2_000) } : undefined,
    actions: s.actions.map(cleanAction),
  };
}

function grounding(sessions: Array<{ summary?: string; actions: StoredAction[]; currentIdx: number }>): LlmGrounding {
  const actions: GroundingAction[] = [];
  const summaries: string[] = [];
  for (const s of sessions) {
    if (s.summary) summaries.push(s.summary);
    s.actions.forEach((a, i) => actions.push({ ...describeAction(a), ...(i === s.currentIdx ? { current: true } : {}) }));
  }
  return { actions, summaries };
}

/**
 * Renders sessions (newest first, already cleaned) within `budget` characters, dropping
 * oldest material first: older sessions, then the earliest actions of the newest session,
 * then its summary. The current-position action is always kept.
 */
export function renderWithinBudget(sessions: SessionContext[], budget: number, now: number): RenderedActivity {
  const currentIdx = sessions.findIndex((s) => s.actions.length > 0);
  const blocks = sessions.map((s, i) => renderSession(s, { markCurrent: i === currentIdx, now }));
  const whole = (s: SessionContext, i: number) => ({ summary: s.summary?.text, actions: s.actions, currentIdx: i === currentIdx ? s.actions.length - 1 : -1 });
  const full = blocks.join('\n\n');
  if (full.length <= budget) return { text: full, dropped: 0, grounding: grounding(sessions.map(whole)) };

  // Keep the newest sessions that fit whole; the one holding the current position is always kept.
  const keep = Math.max(0, currentIdx);
  let kept = blocks.slice(0, keep + 1);
  for (let i = keep + 1; i < blocks.length; i++) {
    const candidate = [...kept, blocks[i]].join('\n\n');
    if (candidate.length > budget) break;
    kept = [...kept, blocks[i]];
  }
  let text = kept.join('\n\n');
  if (text.length <= budget) return { text, dropped: full.length - text.length, grounding: grounding(sessions.slice(0, kept.length).map(whole)) };

  // Still too long: keep only the session holding the current position and trim it line by line.
  const target = sessions[keep];
  const lines: string[] = [];
  const header = renderSession({ ...target, summary: undefined, actions: [] }, { markCurrent: false, now });
  const actionLines = target.actions.map((a, i) => renderAction(a, i + 1, i === target.actions.length - 1));
  const summaryLine = target.summary ? `Summary: ${target.summary.text}` : undefined;
  let omitted = 0;
  let summaryKept = summaryLine !== undefined;
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
    summaryKept = room > 20;
    text = build(summaryKept ? `${summaryLine.slice(0, room - 1)}…` : undefined);
  }
  if (text.length > budget) {
    // A budget smaller than one action line: keep the current position, cut from the front.
    text = `…${text.slice(text.length - budget + 1)}`;
  }
  const keptActions = target.actions.slice(omitted);
  return {
    text,
    dropped: full.length - text.length,
    grounding: grounding([{ summary: summaryKept ? target.summary?.text : undefined, actions: keptActions, currentIdx: keptActions.length - 1 }]),
  };
}
