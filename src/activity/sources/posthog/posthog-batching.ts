import type { Action, ActionsEvent } from '../../activity.types';
import type { ExtractedAction } from './posthog-action.mapper';

/** How many actions each session has in the batch, in first-seen order. */
export function countBySession(extracted: ExtractedAction[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of extracted) counts.set(a.sessionId, (counts.get(a.sessionId) ?? 0) + 1);
  return counts;
}

/**
 * Groups actions by session (first-seen order), orders each session by time, gives
 * every action the next index of its session, and emits one `actions` event per
 * run of the same user, so a session that changes identity mid-batch (anonymous →
 * identified) never attributes one user's actions to another.
 */
export function buildActionsEvents(
  extracted: ExtractedAction[],
  productId: string,
  allocateIndex: (sessionId: string) => number,
  forwardedAt: number,
): ActionsEvent[] {
  const bySession = new Map<string, ExtractedAction[]>();
  for (const a of extracted) {
    const list = bySession.get(a.sessionId);
    if (list) list.push(a);
    else bySession.set(a.sessionId, [a]);
  }
  const events: ActionsEvent[] = [];
  for (const [sessionId, list] of bySession) {
    const ordered = list.map((a, i) => ({ a, i })).sort((x, y) => x.a.timestamp - y.a.timestamp || x.i - y.i).map((x) => x.a);
    const actions: Action[] = ordered.map((a, i) => ({
      index: allocateIndex(sessionId),
      type: a.type,
      title: a.title,
      description: a.description,
      canonicalUrl: a.canonicalUrl,
      rawUrl: a.rawUrl,
      timestampStart: a.timestamp,
      timestampEnd: i + 1 < ordered.length ? ordered[i + 1].timestamp : a.timestamp,
      sessionId,
      userId: a.userId,
      email: a.email,
    }));
    let run: Action[] = [];
    const flush = () => {
      if (run.length === 0) return;
      events.push({
        type: 'actions',
        productId,
        sessionId,
        userId: run[0].userId,
        email: run.find((a) => a.email)?.email,
        actions: run,
        count: run.length,
        forwardedAt,
        source: 'posthog',
      });
      run = [];
    };
    for (const action of actions) {
      if (run.length > 0 && run[0].userId !== action.userId) flush();
      run.push(action);
    }
    flush();
  }
  return events;
}
