import type { ProactiveDecision } from '../proactive.types';
import type { ProactiveStatePort } from './proactive-state.port';
import { initialState, onNudgeSent } from './session-fsm';

/**
 * The behaviour every PROACTIVE_STATE implementation must have. Run it from the
 * implementation's spec: `runProactiveStateContract('memory', () => new MemoryProactiveState())`.
 * Time is passed explicitly, so TTLs and windows are tested without sleeping.
 */
export function runProactiveStateContract(name: string, create: () => ProactiveStatePort | Promise<ProactiveStatePort>): void {
  describe(`ProactiveStatePort contract: ${name}`, () => {
    const T0 = 1_800_000_000_000;
    let port: ProactiveStatePort;
    beforeEach(async () => {
      port = await create();
    });
    afterEach(async () => {
      await port.close();
    });

    const decision = (id: string, at: number, over: Partial<ProactiveDecision> = {}): ProactiveDecision => ({
      id,
      at,
      productId: 'p',
      sessionId: 's',
      userId: 'u',
      ruleId: 'r',
      trigger: 'page_dwell',
      page: '/x',
      outcome: 'sent',
      evidence: [{ type: 'click', title: "Clicked 'A'", canonicalUrl: '/x', at }],
      message: 'Hi',
      quickReplies: [{ label: 'No thanks', decline: true }],
      mode: 'template',
      judge: false,
      ...over,
    });

    describe('session state', () => {
      it('returns null for a session it never saw', async () => {
        expect(await port.getSessionState('nope', T0)).toBeNull();
      });

      it('reads back exactly what was written, as a copy', async () => {
        const s = onNudgeSent(initialState(T0), T0 + 5, {
          decisionId: 'd1', ruleId: 'r', sentKey: 'r@/x', expectsAnswer: true, quickReplies: [{ label: 'Show me', decline: false }],
        });
        await port.setSessionState('k', s, 60, T0);
        const got = await port.getSessionState('k', T0 + 1);
        expect(got).toEqual(s);
        got!.sentKeys.push('mutated');
        expect((await port.getSessionState('k', T0 + 2))!.sentKeys).toEqual(['r@/x']);
      });

      it('forgets a state once its TTL has passed, measured on the `now` given', async () => {
        await port.setSessionState('k', initialState(T0), 60, T0);
        expect(await port.getSessionState('k', T0 + 59_999)).not.toBeNull();
        expect(await port.getSessionState('k', T0 + 60_000)).toBeNull();
      });

      it('a later write replaces the state and restarts its TTL', async () => {
        await port.setSessionState('k', initialState(T0), 60, T0);
        await port.setSessionState('k', { ...initialState(T0), dismissals: 2 }, 60, T0 + 50_000);
        const got = await port.getSessionState('k', T0 + 100_000);
        expect(got?.dismissals).toBe(2);
      });

      it('keeps keys apart', async () => {
        await port.setSessionState('a', { ...initialState(T0), nudgesSent: 1 }, 60, T0);
        await port.setSessionState('b', { ...initialState(T0), nudgesSent: 2 }, 60, T0);
        expect((await port.getSessionState('a', T0))!.nudgesSent).toBe(1);
        expect((await port.getSessionState('b', T0))!.nudgesSent).toBe(2);
      });
    });

    describe('slots (caps)', () => {
      it('takes at most `limit` slots per window', async () => {
        const got = [];
        for (let i = 0; i < 4; i++) got.push(await port.tryAcquire('c', 3, 60, T0 + i));
        expect(got).toEqual([true, true, true, false]);
      });

      it('slides: a slot frees up when it leaves the window', async () => {
        expect(await port.tryAcquire('c', 2, 300, T0)).toBe(true);
        expect(await port.tryAcquire('c', 2, 300, T0 + 250_000)).toBe(true);
        expect(await port.tryAcquire('c', 2, 300, T0 + 299_999)).toBe(false);
        expect(await port.tryAcquire('c', 2, 300, T0 + 300_000)).toBe(true);
        expect(await port.tryAcquire('c', 2, 300, T0 + 300_001)).toBe(false);
      });

      it('is atomic: concurrent callers never take more than the limit together', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => port.tryAcquire('c', 5, 60, T0)));
        expect(results.filter(Boolean)).toHaveLength(5);
      });

      it('release gives back exactly one slot taken at that time', async () => {
        expect(await port.tryAcquire('c', 2, 60, T0)).toBe(true);
        expect(await port.tryAcquire('c', 2, 60, T0 + 1)).toBe(true);
        await port.release('c', T0 + 1);
        expect(await port.tryAcquire('c', 2, 60, T0 + 2)).toBe(true);
        expect(await port.tryAcquire('c', 2, 60, T0 + 3)).toBe(false);
      });

      it('release of a slot that does not exist changes nothing', async () => {
        await port.release('never', T0);
        expect(await port.tryAcquire('c', 1, 60, T0)).toBe(true);
        await port.release('c', T0 - 5);
        expect(await port.tryAcquire('c', 1, 60, T0 + 1)).toBe(false);
      });

      it('keeps keys apart', async () => {
        expect(await port.tryAcquire('a', 1, 60, T0)).toBe(true);
        expect(await port.tryAcquire('b', 1, 60, T0)).toBe(true);
        expect(await port.tryAcquire('a', 1, 60, T0)).toBe(false);
      });
    });

    describe('decision log', () => {
      const limits = { maxEntries: 3, maxAgeSeconds: 3_600 };

      it('lists newest first, with every field intact', async () => {
        await port.appendDecision('u', decision('d1', T0), T0, limits);
        await port.appendDecision('u', decision('d2', T0 + 1, { outcome: 'suppressed', reason: 'cap_user' }), T0 + 1, limits);
        const got = await port.listDecisions('u', T0 + 2, { maxAgeSeconds: 3_600 });
        expect(got.map((d) => d.id)).toEqual(['d2', 'd1']);
        expect(got[1]).toEqual(decision('d1', T0));
        expect(got[0].reason).toBe('cap_user');
      });

      it('is bounded: only the newest maxEntries are kept', async () => {
        for (let i = 1; i <= 5; i++) await port.appendDecision('u', decision(`d${i}`, T0 + i), T0 + i, limits);
        expect((await port.listDecisions('u', T0 + 10, { maxAgeSeconds: 3_600 })).map((d) => d.id)).toEqual(['d5', 'd4', 'd3']);
      });

      it('is age-limited: entries older than maxAgeSeconds are not listed', async () => {
        await port.appendDecision('u', decision('old', T0), T0, limits);
        await port.appendDecision('u', decision('new', T0 + 3_000_000), T0 + 3_000_000, limits);
        expect((await port.listDecisions('u', T0 + 3_700_000, { maxAgeSeconds: 3_600 })).map((d) => d.id)).toEqual(['new']);
      });

      it('honours limit and keeps keys apart', async () => {
        await port.appendDecision('a', decision('a1', T0), T0, limits);
        await port.appendDecision('a', decision('a2', T0 + 1), T0 + 1, limits);
        await port.appendDecision('b', decision('b1', T0), T0, limits);
        expect((await port.listDecisions('a', T0 + 2, { maxAgeSeconds: 3_600, limit: 1 })).map((d) => d.id)).toEqual(['a2']);
        expect((await port.listDecisions('b', T0 + 2, { maxAgeSeconds: 3_600 })).map((d) => d.id)).toEqual(['b1']);
        expect(await port.listDecisions('nobody', T0, { maxAgeSeconds: 3_600 })).toEqual([]);
      });
    });
  });
}
