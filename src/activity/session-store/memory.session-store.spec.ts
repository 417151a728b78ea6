import { MemorySessionStore } from './memory.session-store';
import { runSessionStoreContract } from './session-store.contract';

runSessionStoreContract('memory', (opts) => new MemorySessionStore(opts));

describe('MemorySessionStore memory bound', () => {
  it('holds at most MAX_SESSIONS sessions and MAX_ACTIONS actions each, whatever the load', async () => {
    const store = new MemorySessionStore({
      lookbackSeconds: 300, maxActions: 5, maxSessions: 100, maxSessionsPerUser: 20, maxUsers: 100, sessionTtlSeconds: 86_400,
    });
    // 300 sessions cycling through a 100-session cache, then one session written 700 times in a row.
    for (let i = 0; i < 2_000; i++) {
      const n = i < 1_300 ? i % 300 : 7;
      await store.appendActions({
        type: 'actions', productId: 'p', sessionId: `s${n}`, userId: `u${n}`, count: 3, forwardedAt: 0, source: 'test',
        actions: [1, 2, 3].map((n) => ({ index: n, type: 'click', title: `t${n}`, description: '', canonicalUrl: '/', rawUrl: '', timestampStart: 0, timestampEnd: 0 })),
      });
    }
    const stats = await store.stats();
    expect(stats.sessionsTracked).toBe(100);
    expect(stats.usersTracked).toBe(100);
    const ctx = await store.getSessionContext({ productId: 'p', sessionId: 's7' });
    expect(ctx!.actions.length).toBe(5);
  });
});
