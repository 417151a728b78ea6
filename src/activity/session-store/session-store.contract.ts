import type { Action, ActionsEvent } from '../activity.types';
import type { SessionStore, SessionStoreOptions } from './session-store.port';

/**
 * The behaviour every SESSION_STORE implementation must have. Run it from the
 * implementation's spec: `runSessionStoreContract('memory', (opts) => new MemorySessionStore(opts))`.
 * `now` drives the store's clock so lookback and TTL are tested without sleeping.
 */
export function runSessionStoreContract(
  name: string,
  create: (opts: SessionStoreOptions) => SessionStore | Promise<SessionStore>,
): void {
  describe(`SessionStore contract: ${name}`, () => {
    let clock = 1_800_000_000_000;
    const now = () => clock;
    const stores: SessionStore[] = [];
    const make = async (over: Partial<SessionStoreOptions> = {}) => {
      const s = await create({
        lookbackSeconds: 300,
        maxActions: 30,
        maxSessions: 1_000,
        maxSessionsPerUser: 20,
        maxUsers: 1_000,
        sessionTtlSeconds: 86_400,
        now,
        ...over,
      });
      stores.push(s);
      return s;
    };
    afterEach(async () => {
      while (stores.length) await stores.pop()!.close();
    });
    beforeEach(() => {
      clock = 1_800_000_000_000;
    });

    const act = (title: string, extra: Partial<Action> = {}): Action => ({
      index: 0, type: 'click', title, description: '', canonicalUrl: '/p', rawUrl: '', timestampStart: 0, timestampEnd: 0, ...extra,
    });
    const evt = (p: Partial<ActionsEvent> & { titles?: string[] }): ActionsEvent => ({
      type: 'actions',
      productId: 'prod',
      sessionId: 'sess',
      userId: 'u1',
      actions: (p.titles ?? ['a']).map((t, i) => act(t, { index: i })),
      count: (p.titles ?? ['a']).length,
      forwardedAt: 0,
      source: 'test',
      ...p,
    });
    const titles = (xs: { title: string }[]) => xs.map((x) => x.title);

    it('stores actions with increasing seq and reads them back in order', async () => {
      const s = await make();
      const r1 = await s.appendActions(evt({ titles: ['a', 'b'] }));
      const r2 = await s.appendActions(evt({ titles: ['c'] }));
      expect(r1).toMatchObject({ stored: true, firstSeq: 1, lastSeq: 2 });
      expect(r2).toMatchObject({ stored: true, firstSeq: 3, lastSeq: 3 });
      const ctx = await s.getSessionContext({ productId: 'prod', sessionId: 'sess' });
      expect(titles(ctx!.actions)).toEqual(['a', 'b', 'c']);
      expect(ctx!.actions.map((a) => a.seq)).toEqual([1, 2, 3]);
      expect(ctx!.actions[0].receivedAt).toBe(clock);
      expect(ctx!.userId).toBe('u1');
    });

    it('refuses events without a session id and stores nothing for them', async () => {
      const s = await make();
      const r = await s.appendActions(evt({ sessionId: undefined, userId: 'u-nosession' }));
      expect(r).toEqual({ stored: false, reason: 'missing_session_id' });
      expect(await s.stats()).toEqual({ sessionsTracked: 0, usersTracked: 0 });
      expect(await s.getUserActivity('u-nosession')).toBeNull();
    });

    it('keeps two products that share a session id apart', async () => {
      const s = await make();
      await s.appendActions(evt({ productId: 'A', sessionId: 'same', userId: 'ua', titles: ['from A'] }));
      await s.appendActions(evt({ productId: 'B', sessionId: 'same', userId: 'ub', titles: ['from B'] }));
      expect(titles((await s.getSessionContext({ productId: 'A', sessionId: 'same' }))!.actions)).toEqual(['from A']);
      expect(titles((await s.getSessionContext({ productId: 'B', sessionId: 'same' }))!.actions)).toEqual(['from B']);
      const ua = await s.getUserActivity('ua');
      expect(ua!.sessions.flatMap((x) => titles(x.actions))).toEqual(['from A']);
    });

    it('never returns one user\'s actions for another user', async () => {
      const s = await make();
      for (let i = 0; i < 10; i++) {
        await s.appendActions(evt({ sessionId: `s-${i % 2}`, userId: `user-${i % 2}`, titles: [`mark-${i % 2}-${i}`] }));
      }
      for (const u of [0, 1]) {
        const all = (await s.getUserActivity(`user-${u}`))!.sessions.flatMap((x) => titles(x.actions));
        expect(all.length).toBe(5);
        expect(all.every((t) => t.startsWith(`mark-${u}-`))).toBe(true);
      }
    });

    it('a session id taken over by a different known user does not carry the previous user\'s activity', async () => {
      const s = await make();
      await s.appendActions(evt({ sessionId: 'shared-browser', userId: 'alice', titles: ['alice secret'] }));
      await s.applySummary({ productId: 'prod', sessionId: 'shared-browser' }, { text: 'alice summary' });
      await s.appendActions(evt({ sessionId: 'shared-browser', userId: 'bob', titles: ['bob click'] }));
      const bob = await s.getUserActivity('bob');
      expect(bob!.sessions.flatMap((x) => titles(x.actions))).toEqual(['bob click']);
      expect(bob!.sessions[0].summary).toBeUndefined();
      const alice = await s.getUserActivity('alice');
      expect(alice!.sessions).toEqual([]);
    });

    it('a summary built from the previous owner\'s actions is refused after a takeover', async () => {
      const s = await make();
      const scope = { productId: 'prod', sessionId: 'kiosk' };
      await s.appendActions(evt({ sessionId: 'kiosk', userId: 'alice', titles: ['alice billing'] }));
      const read = await s.getSessionContext(scope); // the summarizer reads, then waits on the LLM …
      await s.appendActions(evt({ sessionId: 'kiosk', userId: 'bob', titles: ['bob click'] })); // … while bob takes over
      const applied = await s.applySummary(scope, { text: 'alice looked at billing', coversThroughSeq: read!.actions.at(-1)!.seq, generation: read!.generation });
      expect(applied).toBe(false);
      const bob = await s.getUserActivity('bob');
      expect(bob!.sessions[0].summary).toBeUndefined();
      expect(bob!.sessions.flatMap((x) => titles(x.actions))).toEqual(['bob click']);
    });

    it('a summary read before the session expired is refused on the re-created session', async () => {
      const s = await make({ sessionTtlSeconds: 60, lookbackSeconds: 600 });
      const scope = { productId: 'prod', sessionId: 'sess' };
      await s.appendActions(evt({ titles: ['old'] }));
      const read = await s.getSessionContext(scope);
      clock += 61_000;
      await s.appendActions(evt({ titles: ['new'] }));
      expect(await s.applySummary(scope, { text: 'old', coversThroughSeq: 1, generation: read!.generation })).toBe(false);
      expect(titles((await s.getSessionContext(scope))!.actions)).toEqual(['new']);
    });

    it('a connector summary replacing more than the new owner sent is refused after a takeover', async () => {
      const s = await make();
      const scope = { productId: 'prod', sessionId: 'kiosk' };
      await s.appendActions(evt({ sessionId: 'kiosk', userId: 'alice', titles: ['a1', 'a2', 'a3'] }));
      await s.appendActions(evt({ sessionId: 'kiosk', userId: 'bob', titles: ['b1'] }));
      expect(await s.applySummary(scope, { text: 'alice did a1-a3', replaces: 3 })).toBe(false);
      expect(await s.applySummary(scope, { text: 'bob did b1', replaces: 1 })).toBe(true);
      expect((await s.getUserActivity('bob'))!.sessions[0].summary!.text).toBe('bob did b1');
    });

    it('anonymous actions followed by an identified user stay with that session', async () => {
      const s = await make();
      await s.appendActions(evt({ sessionId: 's', userId: undefined, titles: ['before login'] }));
      await s.appendActions(evt({ sessionId: 's', userId: 'u7', titles: ['after login'] }));
      expect((await s.getUserActivity('u7'))!.sessions.flatMap((x) => titles(x.actions))).toEqual(['before login', 'after login']);
    });

    it('lists a user\'s sessions newest first, capped per user, within the lookback window', async () => {
      const s = await make({ maxSessionsPerUser: 3 });
      for (let i = 1; i <= 5; i++) {
        clock += 1_000;
        await s.appendActions(evt({ sessionId: `s${i}`, titles: [`t${i}`] }));
      }
      expect((await s.getRecentSessions('u1')).map((r) => r.sessionId)).toEqual(['s5', 's4', 's3']);
      clock += 1_000;
      await s.appendActions(evt({ sessionId: 's3', titles: ['again'] }));
      expect((await s.getRecentSessions('u1')).map((r) => r.sessionId)).toEqual(['s3', 's5', 's4']);
      const activity = await s.getUserActivity('u1', { maxSessions: 2 });
      expect(activity!.sessions.map((x) => x.sessionId)).toEqual(['s3', 's5']);
      clock += 301_000;
      expect(await s.getRecentSessions('u1')).toEqual([]);
      const stale = await s.getUserActivity('u1');
      expect(stale).toEqual({ userId: 'u1', email: undefined, sessions: [] });
    });

    it('narrows a user\'s sessions to one product when asked', async () => {
      const s = await make();
      await s.appendActions(evt({ productId: 'A', sessionId: 'sa', titles: ['in A'] }));
      clock += 10;
      await s.appendActions(evt({ productId: 'B', sessionId: 'sb', titles: ['in B'] }));
      expect((await s.getUserActivity('u1'))!.sessions.map((x) => x.productId)).toEqual(['B', 'A']);
      expect((await s.getUserActivity('u1', { productId: 'A' }))!.sessions.map((x) => x.sessionId)).toEqual(['sa']);
      expect((await s.getRecentSessions('u1', 'B')).map((x) => x.sessionId)).toEqual(['sb']);
    });

    it('drops actions older than the lookback window and keeps at most MAX_ACTIONS', async () => {
      const s = await make({ maxActions: 4, lookbackSeconds: 60 });
      await s.appendActions(evt({ titles: ['old1', 'old2'] }));
      clock += 61_000;
      await s.appendActions(evt({ titles: ['n1', 'n2', 'n3', 'n4', 'n5'] }));
      const ctx = await s.getSessionContext({ productId: 'prod', sessionId: 'sess' });
      expect(titles(ctx!.actions)).toEqual(['n2', 'n3', 'n4', 'n5']);
      clock += 61_000;
      expect((await s.getSessionContext({ productId: 'prod', sessionId: 'sess' }))!.actions).toEqual([]);
    });

    it('drops a late action by its own timestamp, even when newer ones were stored before it', async () => {
      const s = await make({ maxActions: 4, lookbackSeconds: 60 });
      const at = (msAgo: number) => (clock - msAgo) / 1000;
      await s.appendActions(evt({ actions: [act('fresh1', { timestampStart: at(1_000) })] }));
      await s.appendActions(evt({ actions: [act('late', { timestampStart: at(50_000) })] }));
      await s.appendActions(evt({ actions: [act('fresh2', { timestampStart: at(0) })] }));
      clock += 20_000; // 'late' occurred 70 s ago now; the others 21 s and 20 s ago
      await s.appendActions(evt({ actions: [act('fresh3')] }));
      const ctx = await s.getSessionContext({ productId: 'prod', sessionId: 'sess' });
      expect(titles(ctx!.actions)).toEqual(['fresh1', 'fresh2', 'fresh3']);
      clock += 45_000; // fresh1 and fresh2 are past the window too; fresh3 (45 s) is not
      await s.appendActions(evt({ actions: [act('fresh4')] }));
      expect(titles((await s.getSessionContext({ productId: 'prod', sessionId: 'sess' }))!.actions)).toEqual(['fresh3', 'fresh4']);
    });

    it('applySummary stores the summary and drops exactly the actions it covers', async () => {
      const s = await make();
      const scope = { productId: 'prod', sessionId: 'sess' };
      await s.appendActions(evt({ titles: ['a', 'b', 'c'] }));
      // "d" arrives while the summary of a..c is being written.
      await s.appendActions(evt({ titles: ['d'] }));
      expect(await s.applySummary(scope, { text: 'did a, b, c', coversThroughSeq: 3 })).toBe(true);
      const ctx = await s.getSessionContext(scope);
      expect(ctx!.summary).toMatchObject({ text: 'did a, b, c', coversThroughSeq: 3 });
      expect(titles(ctx!.actions)).toEqual(['d']);
    });

    it('append reports the session user and how many actions are unsummarised since the latest summary', async () => {
      const s = await make();
      const scope = { productId: 'prod', sessionId: 'sess' };
      expect(await s.appendActions(evt({ titles: ['a', 'b'] }))).toMatchObject({ stored: true, userId: 'u1', unsummarised: 2 });
      await s.applySummary(scope, { text: 'a and b', coversThroughSeq: 2 });
      expect(await s.appendActions(evt({ titles: ['c'] }))).toMatchObject({ unsummarised: 1 });
      const anonymous = await s.appendActions(evt({ sessionId: 'anon', userId: undefined, titles: ['x'] }));
      expect(anonymous).toMatchObject({ stored: true, unsummarised: 1 });
      expect(anonymous.stored && anonymous.userId).toBeUndefined();
    });

    it('a summary built on an older summary revision is refused (another summary landed meanwhile)', async () => {
      const s = await make();
      const scope = { productId: 'prod', sessionId: 'sess' };
      await s.appendActions(evt({ titles: ['a', 'b', 'c'] }));
      const read = await s.getSessionContext(scope);
      expect(read!.summaryRevision).toBe(0);
      expect(await s.applySummary(scope, { text: 'connector summary', replaces: 3 })).toBe(true);
      const late = await s.applySummary(scope, { text: 'ours', coversThroughSeq: 3, generation: read!.generation, expectedRevision: read!.summaryRevision });
      expect(late).toBe(false);
      const ctx = await s.getSessionContext(scope);
      expect(ctx!.summary!.text).toBe('connector summary');
      expect(ctx!.summaryRevision).toBe(1);
    });

    it('applySummary with `replaces` drops that many of the oldest actions (connector summaries)', async () => {
      const s = await make();
      const scope = { productId: 'prod', sessionId: 'sess' };
      await s.appendActions(evt({ titles: ['a', 'b', 'c', 'd'] }));
      await s.applySummary(scope, { text: 'first two', replaces: 2 });
      expect(titles((await s.getSessionContext(scope))!.actions)).toEqual(['c', 'd']);
      await s.applySummary(scope, { text: 'more than we hold', replaces: 10 });
      const ctx = await s.getSessionContext(scope);
      expect(ctx!.actions).toEqual([]);
      expect(ctx!.summary!.text).toBe('more than we hold');
    });

    it('applySummary on an unknown session reports false and creates nothing', async () => {
      const s = await make();
      expect(await s.applySummary({ productId: 'x', sessionId: 'nope' }, { text: 't' })).toBe(false);
      expect((await s.stats()).sessionsTracked).toBe(0);
    });

    it('remembers the last email per user and finds users by email, case-insensitively', async () => {
      const s = await make();
      await s.appendActions(evt({ userId: 'u1', email: 'Jane.Doe@Example.com' }));
      expect(await s.getEmail('u1')).toBe('Jane.Doe@Example.com');
      expect(await s.findUserByEmail('jane.doe@example.COM')).toBe('u1');
      expect(await s.findUserByEmail('other@example.com')).toBeUndefined();
      expect(await s.getEmail('unknown')).toBeUndefined();
    });

    it('returns null for a user never seen', async () => {
      const s = await make();
      expect(await s.getUserActivity('ghost')).toBeNull();
      expect(await s.getRecentSessions('ghost')).toEqual([]);
    });

    it('lists the most recently active sessions across users and products, newest first, within the lookback window', async () => {
      const s = await make();
      await s.appendActions(evt({ productId: 'A', sessionId: 'old', userId: 'u-old', titles: ['x'] }));
      clock += 301_000; // past the 300 s lookback: 'old' is no longer live
      await s.appendActions(evt({ productId: 'A', sessionId: 's1', userId: 'u1', titles: ['one'] }));
      clock += 1_000;
      await s.appendActions(evt({ productId: 'B', sessionId: 's2', userId: undefined, titles: ['anon'] }));
      clock += 1_000;
      await s.appendActions(evt({ productId: 'A', sessionId: 's3', userId: 'u3', email: 'u3@example.com', titles: ['three'] }));
      clock += 1_000;
      await s.appendActions(evt({ productId: 'A', sessionId: 's1', userId: 'u1', titles: ['again'] }));

      const all = await s.listRecentSessions(10);
      expect(all.map((c) => `${c.productId}/${c.sessionId}`)).toEqual(['A/s1', 'A/s3', 'B/s2']);
      expect(all[0]).toMatchObject({ userId: 'u1', lastActivityAt: clock });
      expect(titles(all[0].actions)).toEqual(['one', 'again']);
      expect(all[1].email).toBe('u3@example.com');
      expect(all[2].userId).toBeUndefined();
      expect((await s.listRecentSessions(2)).map((c) => c.sessionId)).toEqual(['s1', 's3']);
      expect(await s.listRecentSessions(0)).toEqual([]);

      // A session taken over by another user lists once, under its new owner.
      clock += 1_000;
      await s.appendActions(evt({ productId: 'A', sessionId: 's3', userId: 'u9', titles: ['mine'] }));
      const after = await s.listRecentSessions(10);
      expect(after.map((c) => `${c.sessionId}:${c.userId}`)).toEqual(['s3:u9', 's1:u1', 's2:undefined']);
      expect(titles(after[0].actions)).toEqual(['mine']);
    });

    it('lists no session that was evicted or went idle', async () => {
      const s = await make({ maxSessions: 2 });
      for (const id of ['e1', 'e2', 'e3']) {
        await s.appendActions(evt({ sessionId: id, userId: `u-${id}` }));
        clock += 1_000;
      }
      expect((await s.listRecentSessions(10)).map((c) => c.sessionId)).toEqual(['e3', 'e2']);
      clock += 301_000;
      expect(await s.listRecentSessions(10)).toEqual([]);
    });

    it('evicts least recently used sessions beyond MAX_SESSIONS', async () => {
      const s = await make({ maxSessions: 50 });
      for (let i = 0; i < 500; i++) await s.appendActions(evt({ sessionId: `s${i}`, userId: `u${i}` }));
      expect((await s.stats()).sessionsTracked).toBeLessThanOrEqual(50);
      expect(await s.getSessionContext({ productId: 'prod', sessionId: 's0' })).toBeNull();
      expect(await s.getSessionContext({ productId: 'prod', sessionId: 's499' })).not.toBeNull();
    });

    it('evicts least recently used users beyond MAX_USERS', async () => {
      const s = await make({ maxUsers: 20 });
      for (let i = 0; i < 100; i++) await s.appendActions(evt({ sessionId: `s${i}`, userId: `u${i}` }));
      expect((await s.stats()).usersTracked).toBeLessThanOrEqual(20);
      expect(await s.getUserActivity('u0')).toBeNull();
    });

    it('forgets sessions idle for longer than SESSION_TTL_SECONDS', async () => {
      const s = await make({ sessionTtlSeconds: 600, lookbackSeconds: 3_600 });
      await s.appendActions(evt({ titles: ['x'] }));
      clock += 601_000;
      expect(await s.getSessionContext({ productId: 'prod', sessionId: 'sess' })).toBeNull();
    });
  });
}
