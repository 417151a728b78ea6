import { normaliseUntrusted } from '../common/text';
import type { SessionContext, StoredAction, UserActivity } from './session-store/session-store.port';

/** Normalises untrusted text (NFKC, no format or control characters) and folds newlines, so one action stays one line. */
export function sanitizeActivityText(s: string, maxChars = 300): string {
  const clean = normaliseUntrusted(s).replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  return clean.length > maxChars ? `${clean.slice(0, maxChars - 1)}…` : clean;
}

export const CURRENT_POSITION_MARK = '← current position';

/** An action as shown to the model: sanitised label, type and page (rendered text and structured grounding agree). */
export interface DescribedAction {
  type?: string;
  label: string;
  page?: string;
}

export function describeAction(a: StoredAction): DescribedAction {
  const type = a.type ? sanitizeActivityText(a.type, 20) : '';
  const page = a.canonicalUrl || a.rawUrl;
  return {
    type: type || undefined,
    label: sanitizeActivityText(a.title || a.description || '(untitled action)'),
    page: page ? sanitizeActivityText(page, 200) : undefined,
  };
}

export function renderAction(a: StoredAction, n: number, current: boolean): string {
  const d = describeAction(a);
  const type = d.type ? `[${d.type}] ` : '';
  const where = d.page ? ` — ${d.page}` : '';
  return `${n}. ${type}${d.label}${where}${current ? `  ${CURRENT_POSITION_MARK}` : ''}`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min ago` : `${Math.round(m / 60)} h ago`;
}

/** One session: header, latest summary, then numbered recent actions (newest last). */
export function renderSession(session: SessionContext, opts: { markCurrent: boolean; now?: number }): string {
  const now = opts.now ?? Date.now();
  // When the user last did something, by the actions' own timestamps (a late batch is not "just now").
  const lastActive = session.actions.length > 0 ? Math.max(...session.actions.map((a) => a.occurredAt ?? a.receivedAt)) : session.lastActivityAt;
  const lines = [
    `Session ${sanitizeActivityText(session.sessionId, 80)}${session.productId ? ` (product ${sanitizeActivityText(session.productId, 80)})` : ''}, last active ${ago(now - lastActive)}`,
  ];
  if (session.summary) lines.push(`Summary: ${sanitizeActivityText(session.summary.text, 2_000)}`);
  if (session.actions.length > 0) {
    lines.push('Recent actions (oldest first):');
    session.actions.forEach((a, i) =>
      lines.push(renderAction(a, i + 1, opts.markCurrent && i === session.actions.length - 1)),
    );
  }
  return lines.join('\n');
}

/**
 * The user's activity across their recent sessions, newest session first. The most
 * recent action of the newest session that has actions is marked as the user's
 * current position.
 */
export function renderUserActivity(activity: UserActivity, now = Date.now()): string {
  const currentIdx = activity.sessions.findIndex((s) => s.actions.length > 0);
  return activity.sessions
    .filter((s) => s.summary || s.actions.length > 0)
    .map((s) => renderSession(s, { markCurrent: activity.sessions.indexOf(s) === currentIdx, now }))
    .join('\n\n');
}
