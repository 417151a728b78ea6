import type { ActiveSessionIndex } from './active-sessions.port';

/** The behaviour every ActiveSessionIndex must have (run from each implementation's spec). */
export function runActiveSessionsContract(name: string, create: (max: number) => ActiveSessionIndex): void {
  describe(`ActiveSessionIndex contract: ${name}`, () => {
    let idx: ActiveSessionIndex;
    afterEach(async () => idx.close());

    it('lists sessions seen since a time, most recent first, with their last time', async () => {
      idx = create(100);
      await idx.touch('p', 'a', 1_000);
      await idx.touch('p', 'b:with:colons', 2_000);
      await idx.touch('q', 'a', 3_000);
      await idx.touch('p', 'a', 4_000);
      expect(await idx.listSince(1_500, 10)).toEqual([
        { productId: 'p', sessionId: 'a', lastSeenAt: 4_000 },
        { productId: 'q', sessionId: 'a', lastSeenAt: 3_000 },
        { productId: 'p', sessionId: 'b:with:colons', lastSeenAt: 2_000 },
      ]);
      expect(await idx.listSince(3_500, 10)).toHaveLength(1);
      expect(await idx.listSince(0, 2)).toHaveLength(1);
    });

    it('is bounded: the least recently seen go first', async () => {
      idx = create(3);
      for (let i = 1; i <= 5; i++) await idx.touch('p', `s${i}`, i * 10);
      expect((await idx.listSince(0, 10)).map((s) => s.sessionId)).toEqual(['s5', 's4', 's3']);
    });
  });
}
