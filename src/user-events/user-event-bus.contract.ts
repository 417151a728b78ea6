import { UserEventTooLargeError, type UserEvent, type UserEventBus, type UserEventBusOptions } from './user-event-bus.port';

/**
 * The behaviour every USER_EVENT_BUS implementation must have. Stores with a server-side
 * clock pass `realClock: true` (retention is then checked by count only).
 */
export function runUserEventBusContract(name: string, create: (opts: UserEventBusOptions) => UserEventBus | Promise<UserEventBus>, { realClock = false } = {}): void {
  describe(`UserEventBus contract: ${name}`, () => {
    let clock = 1_800_000_000_000;
    const buses: UserEventBus[] = [];
    let n = 0;
    const user = (label: string) => `uev-${process.pid}-${Date.now().toString(36)}-${++n}-${label}`;
    const make = async (over: Partial<UserEventBusOptions> = {}) => {
      const b = await create({ maxEventsPerUser: 50, retentionMs: 60_000, maxEventBytes: 8 * 1024, now: () => clock, ...over });
      buses.push(b);
      return b;
    };
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    afterEach(async () => {
      while (buses.length) await buses.pop()!.close();
    });

    it('delivers a published event to the live listeners of that user only', async () => {
      const bus = await make();
      const alice = user('alice');
      const bob = user('bob');
      const seenA: UserEvent[] = [];
      const seenB: UserEvent[] = [];
      const subA = await bus.subscribe(alice, undefined, (e) => seenA.push(e));
      const subB = await bus.subscribe(bob, undefined, (e) => seenB.push(e));
      expect(subA.missed).toEqual([]);
      const sent = await bus.publish({ userId: alice }, 'nudge', { message: 'Try the bulk editor' });
      await until(() => seenA.length === 1);
      expect(seenA).toEqual([sent]);
      expect(sent).toMatchObject({ type: 'nudge', data: { message: 'Try the bulk editor' } });
      expect(typeof sent.id).toBe('string');
      await new Promise((r) => setTimeout(r, 50));
      expect(seenB).toEqual([]);
      await subA.close();
      await subB.close();
    });

    it('returns what a reconnecting listener missed after its last event id, in order', async () => {
      const bus = await make();
      const u = user('resume');
      const first = await bus.publish({ userId: u }, 'nudge', { n: 1 });
      clock += 5;
      const second = await bus.publish({ userId: u }, 'nudge', { n: 2 });
      clock += 5;
      const third = await bus.publish({ userId: u }, 'nudge', { n: 3 });
      const sub = await bus.subscribe(u, first.id, () => undefined);
      expect(sub.missed.map((e) => e.id)).toEqual([second.id, third.id]);
      expect(sub.missed.map((e) => e.data)).toEqual([{ n: 2 }, { n: 3 }]);
      await sub.close();
      const none = await bus.subscribe(u, third.id, () => undefined);
      expect(none.missed).toEqual([]);
      await none.close();
      const malformed = await bus.subscribe(u, 'not-an-id', () => undefined);
      expect(malformed.missed).toEqual([]);
      await malformed.close();
    });

    it('keeps at most maxEventsPerUser events for resumption', async () => {
      const bus = await make({ maxEventsPerUser: 3 });
      const u = user('cap');
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        clock += 1;
        ids.push((await bus.publish({ userId: u }, 'nudge', { i })).id);
      }
      const sub = await bus.subscribe(u, '0-1', () => undefined);
      expect(sub.missed.map((e) => e.data)).toEqual([{ i: 3 }, { i: 4 }, { i: 5 }]);
      await sub.close();
    });

    if (!realClock) {
      it('forgets events older than the retention window', async () => {
        const bus = await make({ retentionMs: 1_000 });
        const u = user('age');
        await bus.publish({ userId: u }, 'nudge', { old: true });
        clock += 2_000;
        const fresh = await bus.publish({ userId: u }, 'nudge', { old: false });
        const sub = await bus.subscribe(u, '0-1', () => undefined);
        expect(sub.missed).toEqual([fresh]);
        await sub.close();
      });
    }

    it('refuses a payload over maxEventBytes', async () => {
      const bus = await make({ maxEventBytes: 100 });
      await expect(bus.publish({ userId: user('big') }, 'nudge', { text: 'x'.repeat(200) })).rejects.toBeInstanceOf(UserEventTooLargeError);
    });

    it('stops delivering after close and counts listeners', async () => {
      const bus = await make();
      const u = user('close');
      const seen: UserEvent[] = [];
      const base = bus.listenerCount();
      const sub = await bus.subscribe(u, undefined, (e) => seen.push(e));
      expect(bus.listenerCount()).toBe(base + 1);
      await sub.close();
      await sub.close();
      expect(bus.listenerCount()).toBe(base);
      await bus.publish({ userId: u }, 'nudge', {});
      await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual([]);
    });
  });
}
