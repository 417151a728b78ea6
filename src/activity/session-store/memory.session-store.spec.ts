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

describe('MemorySessionStore byte budget', () => {
  const action = (i: number, at: number) => ({ index: i, type: 'click', title: `title ${i}`, description: 'x'.repeat(200), canonicalUrl: '/a', rawUrl: '', timestampStart: at, timestampEnd: at });
  const append = (store: MemorySessionStore, sessionId: string, actions: ReturnType<typeof action>[]) =>
    store.appendActions({ type: 'actions', productId: 'p', sessionId, userId: `u-${sessionId}`, count: actions.length, forwardedAt: 0, source: 'test', actions });
  let now = 1_000_000_000_000;
  // A full session (10 actions of ~650 bytes) is ~7 KB: the budget holds three.
  const budgeted = () =>
    new MemorySessionStore({
      lookbackSeconds: 60, maxActions: 10, maxSessions: 100, maxSessionsPerUser: 20, maxUsers: 100, sessionTtlSeconds: 86_400, maxBytes: 24_000, now: () => now,
    });

  it('weighs a session as it grows, one action per append (the usual traffic), so the budget binds', async () => {
    const store = budgeted();
    for (let s = 1; s <= 5; s++) for (let i = 0; i < 10; i++) await append(store, `s${s}`, [action(i, now / 1000)]);
    expect((await store.stats()).sessionsTracked).toBe(3);
    for (const gone of ['s1', 's2']) expect(await store.getSessionContext({ productId: 'p', sessionId: gone })).toBeNull();
    expect((await store.getSessionContext({ productId: 'p', sessionId: 's5' }))?.actions).toHaveLength(10);
  });

  it('gives back the bytes of trimmed, expired and summarised actions', async () => {
    const store = budgeted();
    // 500 actions into one session: only the newest 10 are kept, so it weighs one full session, not 500 actions.
    for (let i = 0; i < 500; i++) await append(store, 'busy', [action(i, now / 1000)]);
    const full = await store.getSessionContext({ productId: 'p', sessionId: 'busy' });
    expect(full?.actions.map((a) => a.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 491 + i));
    // Actions older than the lookback are dropped on the next append, and a summary replaces most of the rest.
    now += 120_000;
    for (let i = 0; i < 10; i++) await append(store, 'busy', [action(1_000 + i, now / 1000)]);
    expect(await store.applySummary({ productId: 'p', sessionId: 'busy' }, { text: 'summary', replaces: 8 })).toBe(true);
    await append(store, 'other-1', Array.from({ length: 10 }, (_, i) => action(i, now / 1000)));
    await append(store, 'other-2', Array.from({ length: 10 }, (_, i) => action(i, now / 1000)));
    await append(store, 'other-3', Array.from({ length: 10 }, (_, i) => action(i, now / 1000)));
    // busy (2 actions and a summary, ~2 KB) still fits beside three full sessions.
    expect((await store.stats()).sessionsTracked).toBe(4);
    const busy = await store.getSessionContext({ productId: 'p', sessionId: 'busy' });
    expect(busy?.actions.map((a) => a.index)).toEqual([1_008, 1_009]);
    expect(busy?.summary?.text).toBe('summary');
  });
});
