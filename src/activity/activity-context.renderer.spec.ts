import { CURRENT_POSITION_MARK, renderUserActivity, sanitizeActivityText } from './activity-context.renderer';
import type { SessionContext, StoredAction } from './session-store/session-store.port';

const action = (seq: number, title: string, url = '/p'): StoredAction => ({
  seq, receivedAt: 0, occurredAt: 0, index: seq, type: 'click', title, description: '', canonicalUrl: url, rawUrl: '', timestampStart: 0, timestampEnd: 0,
});
const session = (id: string, actions: StoredAction[], summary?: string): SessionContext => ({
  productId: 'p', sessionId: id, actions, lastActivityAt: 0, generation: 1, summaryRevision: 0, summary: summary ? { text: summary, updatedAt: 0, coversThroughSeq: 0 } : undefined,
});

describe('activity rendering', () => {
  it('strips control and bidi characters and folds newlines', () => {
    expect(sanitizeActivityText('a\u0000b\u202Ec\nd\r\ne\u0007')).toBe('abc d e');
  });

  it('renders newest session first, summary then numbered actions, and marks only the latest action', () => {
    const text = renderUserActivity(
      { userId: 'u', sessions: [session('new', [action(1, 'Opened Reports'), action(2, 'Clicked Export')], 'Looked at invoices.'), session('old', [action(1, 'Viewed Home')])] },
      0,
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Session new/);
    expect(lines[1]).toBe('Summary: Looked at invoices.');
    expect(lines[3]).toBe('1. [click] Opened Reports — /p');
    expect(lines[4]).toBe(`2. [click] Clicked Export — /p  ${CURRENT_POSITION_MARK}`);
    expect(text.split(CURRENT_POSITION_MARK)).toHaveLength(2);
    expect(text).toContain('1. [click] Viewed Home — /p\n'.trim());
  });

  it('renders nothing for a user with no summaries or actions', () => {
    expect(renderUserActivity({ userId: 'u', sessions: [session('s', [])] })).toBe('');
  });
});
