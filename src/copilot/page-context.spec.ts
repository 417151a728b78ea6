import type { Action } from '../activity/activity.types';
import { ActivityReader } from '../activity/activity-reader.service';
import { MemorySessionStore } from '../activity/session-store/memory.session-store';
import { ActivityPageContext, currentPageOf } from './page-context';

const act = (over: Partial<Action>): Action => ({
  index: 0, type: 'click', title: '', description: '', canonicalUrl: '', rawUrl: '', timestampStart: 0, timestampEnd: 0, ...over,
});

describe('where the user is now (KB_PAGE_CONTEXT from the activity)', () => {
  let sessions: MemorySessionStore;
  let clock: number;
  const push = (sessionId: string, userId: string, actions: Partial<Action>[]) =>
    sessions.appendActions({ type: 'actions', productId: 'acme', sessionId, userId, actions: actions.map(act), count: actions.length, forwardedAt: 0, source: 'test' });

  beforeEach(() => {
    clock = 1_800_000_000_000;
    sessions = new MemorySessionStore({
      lookbackSeconds: 300, maxActions: 30, maxSessions: 100, maxSessionsPerUser: 20, maxUsers: 100, sessionTtlSeconds: 86_400, now: () => clock,
    });
  });

  it('is the last action of the newest session: its page, the title of that page\'s latest view, and its label', async () => {
    await push('old', 'u1', [{ type: 'pageview', title: 'Billing', canonicalUrl: '/billing' }]);
    clock += 1_000;
    await push('new', 'u1', [
      { type: 'pageview', title: 'Projects', canonicalUrl: '/projects' },
      { type: 'pageview', title: 'Edit project', canonicalUrl: '/projects/:id/edit' },
      { type: 'click', title: "Clicked 'Save changes'", canonicalUrl: '/projects/:id/edit' },
    ]);
    await expect(new ActivityPageContext(new ActivityReader(sessions)).currentPage('u1')).resolves.toEqual({
      canonicalUrl: '/projects/:id/edit',
      title: 'Edit project',
      lastActionLabel: "Clicked 'Save changes'",
    });
    await expect(new ActivityPageContext(new ActivityReader(sessions)).currentPage('nobody')).resolves.toBeUndefined();
  });

  it('falls back to the raw URL\'s path, and has no title when the page was never viewed in the session', () => {
    const session = { productId: 'p', sessionId: 's', actions: [{ ...act({ title: 'Opened Help', rawUrl: 'https://app.example/help/center?x=1' }), seq: 1, receivedAt: 1, occurredAt: 1 }], lastActivityAt: 1, generation: 1, summaryRevision: 0 };
    expect(currentPageOf([session])).toEqual({ canonicalUrl: '/help/center', lastActionLabel: 'Opened Help' });
    expect(currentPageOf([{ ...session, actions: [] }])).toBeUndefined();
    expect(currentPageOf([{ ...session, actions: [{ ...session.actions[0], rawUrl: '' }] }])).toBeUndefined();
  });
});
