import type { DeadLetter, DeadLetterStore } from './dead-letter.port';

/** The behaviour every DeadLetterStore must have; ids are unique per run, so a shared backend needs no flushing. */
export function runDeadLetterContract(name: string, create: (max: number) => DeadLetterStore | Promise<DeadLetterStore>): void {
  describe(`DeadLetterStore contract: ${name}`, () => {
    const stores: DeadLetterStore[] = [];
    let n = 0;
    const entry = (over: Partial<DeadLetter> = {}): DeadLetter => ({
      id: `dl-${process.pid}-${Date.now().toString(36)}-${++n}`,
      name: 'channel.reply',
      payload: { conversationId: 'c', text: 'hello', nested: { ok: true } },
      reason: 'HTTP 503',
      attempts: 5,
      failedAt: 1_800_000_000_000 + n,
      labels: { channel: 'crisp' },
      ...over,
    });
    const make = async (max = 100) => {
      const s = await create(max);
      stores.push(s);
      return s;
    };
    afterEach(async () => {
      while (stores.length) await stores.pop()!.close();
    });

    it('keeps entries, lists them newest first, and hands one back for a retry', async () => {
      const s = await make();
      const a = entry();
      const b = entry();
      await s.add(a);
      await s.add(b);
      expect((await s.list(10)).map((e) => e.id)).toEqual([b.id, a.id]);
      expect(await s.take(a.id)).toEqual(a);
      expect(await s.take(a.id)).toBeUndefined();
      expect((await s.stats()).count).toBe(1);
    });

    it('is bounded: beyond max the oldest entries are dropped and counted', async () => {
      const s = await make(3);
      const all = [entry(), entry(), entry(), entry(), entry()];
      for (const e of all) await s.add(e);
      expect((await s.list(10)).map((e) => e.id)).toEqual(all.slice(2).reverse().map((e) => e.id));
      expect(await s.stats()).toEqual({ count: 3, dropped: 2 });
    });
  });
}
