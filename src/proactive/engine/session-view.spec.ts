import type { SessionContext, StoredAction } from '../../activity/session-store/session-store.port';
import { buildSessionView } from './session-view';

const T0 = 1_800_000_000_000;
const stored = (over: Partial<StoredAction>): StoredAction => ({
  index: 0, type: 'click', title: "Clicked 'Edit'", description: 'd', canonicalUrl: '/projects/:id', rawUrl: 'https://x.test/projects/7',
  timestampStart: T0 / 1000, timestampEnd: T0 / 1000, seq: 1, receivedAt: T0 + 500, occurredAt: T0, ...over,
});
const ctx = (actions: StoredAction[], over: Partial<SessionContext> = {}): SessionContext => ({
  productId: 'acme', sessionId: 's1', userId: 'u1', email: 'casey.jones@example.com', actions, lastActivityAt: T0 + 500, generation: 1, summaryRevision: 0, ...over,
});

describe('buildSessionView', () => {
  it('maps stored actions to epoch-ms actions, oldest first', () => {
    const v = buildSessionView(ctx([stored({}), stored({ seq: 2, timestampStart: T0 / 1000 + 2.5, type: 'submit' })]), T0 + 10_000);
    expect(v).toEqual({
      productId: 'acme', sessionId: 's1', userId: 'u1', firstName: 'Casey', userProperties: undefined, lastActivityAt: T0 + 500,
      actions: [
        { type: 'click', title: "Clicked 'Edit'", canonicalUrl: '/projects/:id', rawUrl: 'https://x.test/projects/7', at: T0 },
        { type: 'submit', title: "Clicked 'Edit'", canonicalUrl: '/projects/:id', rawUrl: 'https://x.test/projects/7', at: T0 + 2_500 },
      ],
    });
  });

  it('clamps times in the future to now, and falls back to the store time without a timestamp', () => {
    const v = buildSessionView(ctx([stored({ timestampStart: T0 / 1000 + 3_600 }), stored({ timestampStart: 0, receivedAt: T0 + 42 })]), T0 + 1_000);
    expect(v.actions.map((a) => a.at)).toEqual([T0 + 1_000, T0 + 42]);
  });

  it('can use the store clock for untrusted browser clocks', () => {
    const v = buildSessionView(ctx([stored({ timestampStart: T0 / 1000 - 900 })]), T0 + 1_000, {}, { clock: 'received' });
    expect(v.actions[0].at).toBe(T0 + 500);
  });

  it('takes a first name and properties from the integration, else guesses the name from the email', () => {
    expect(buildSessionView(ctx([], { email: 'support@acme.test' }), T0).firstName).toBeUndefined();
    const v = buildSessionView(ctx([]), T0, { firstName: 'Cas', userProperties: { plan: 'trial' } });
    expect(v).toMatchObject({ firstName: 'Cas', userProperties: { plan: 'trial' } });
  });
});
