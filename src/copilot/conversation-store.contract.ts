import type { ConversationStore, ConversationTurn } from './conversation-store.port';

export interface ConversationStoreFactoryOptions {
  maxConversations: number;
  /** Clock for claim expiry. Stores backed by a server clock (Redis) may ignore it. */
  now: () => number;
}

/**
 * The behaviour every CONVERSATION_STORE implementation must have. Run it from the
 * implementation's spec: `runConversationStoreContract('memory', (o) => new MemoryConversationStore(o))`.
 * Conversation ids are unique per test so a shared backing store (Redis) needs no flushing.
 */
export function runConversationStoreContract(
  name: string,
  create: (opts: ConversationStoreFactoryOptions) => ConversationStore | Promise<ConversationStore>,
): void {
  describe(`ConversationStore contract: ${name}`, () => {
    let clock = 1_800_000_000_000;
    const stores: ConversationStore[] = [];
    const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    let seq = 0;
    const id = (label: string) => `contract:${run}:${label}:${++seq}`;
    const make = async (over: Partial<ConversationStoreFactoryOptions> = {}) => {
      const s = await create({ maxConversations: 1_000, now: () => clock, ...over });
      stores.push(s);
      return s;
    };
    const turn = (role: ConversationTurn['role'], text: string, at = 1): ConversationTurn => ({ role, text, at });

    beforeEach(() => {
      clock = 1_800_000_000_000;
    });
    afterEach(async () => {
      while (stores.length) await stores.pop()!.close();
    });

    it('returns no turns and no watermark for an unknown conversation', async () => {
      const s = await make();
      const c = id('unknown');
      expect(await s.getTurns(c, 10)).toEqual([]);
      expect(await s.getWatermark(c)).toBeUndefined();
    });

    it('appends turns in order and returns the last `limit`, oldest first', async () => {
      const s = await make();
      const c = id('order');
      await s.appendTurns(c, [turn('user', 'q1', 1), turn('assistant', 'a1', 2)], 10);
      await s.appendTurns(c, [turn('user', 'q2', 3), turn('assistant', 'a2', 4)], 10);
      expect(await s.getTurns(c, 10)).toEqual([
        turn('user', 'q1', 1), turn('assistant', 'a1', 2), turn('user', 'q2', 3), turn('assistant', 'a2', 4),
      ]);
      expect((await s.getTurns(c, 3)).map((t) => t.text)).toEqual(['a1', 'q2', 'a2']);
      expect(await s.getTurns(c, 0)).toEqual([]);
    });

    it('keeps at most maxTurns per conversation, dropping the oldest', async () => {
      const s = await make();
      const c = id('bounded');
      for (let i = 1; i <= 7; i++) await s.appendTurns(c, [turn('user', `q${i}`, i)], 4);
      expect((await s.getTurns(c, 100)).map((t) => t.text)).toEqual(['q4', 'q5', 'q6', 'q7']);
    });

    it('keeps conversations apart', async () => {
      const s = await make();
      const a = id('a');
      const b = id('b');
      await s.appendTurns(a, [turn('user', 'for a')], 10);
      await s.setWatermark(a, 100);
      await s.appendTurns(b, [turn('user', 'for b')], 10);
      expect((await s.getTurns(a, 10)).map((t) => t.text)).toEqual(['for a']);
      expect((await s.getTurns(b, 10)).map((t) => t.text)).toEqual(['for b']);
      expect(await s.getWatermark(b)).toBeUndefined();
    });

    it('stores the watermark and never moves it backwards', async () => {
      const s = await make();
      const c = id('watermark');
      await s.setWatermark(c, 1_000);
      expect(await s.getWatermark(c)).toBe(1_000);
      await s.setWatermark(c, 2_000);
      expect(await s.getWatermark(c)).toBe(2_000);
      await s.setWatermark(c, 1_500);
      expect(await s.getWatermark(c)).toBe(2_000);
    });

    it('returned turns are copies (mutating them changes nothing stored)', async () => {
      const s = await make();
      const c = id('copies');
      await s.appendTurns(c, [turn('user', 'original')], 10);
      const [t] = await s.getTurns(c, 10);
      t.text = 'changed';
      expect((await s.getTurns(c, 10))[0].text).toBe('original');
    });

    it('claimOnce: first claim wins, repeats lose, also when raced concurrently', async () => {
      const s = await make();
      const k = id('claim');
      const results = await Promise.all(Array.from({ length: 20 }, () => s.claimOnce(k, 60)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await s.claimOnce(k, 60)).toBe(false);
      expect(await s.claimOnce(id('other'), 60)).toBe(true);
    });

    it('releaseClaim lets the key be claimed again', async () => {
      const s = await make();
      const k = id('release');
      expect(await s.claimOnce(k, 60)).toBe(true);
      await s.releaseClaim(k);
      expect(await s.claimOnce(k, 60)).toBe(true);
      expect(await s.claimOnce(k, 60)).toBe(false);
    });

    it('a claim lapses after its TTL', async () => {
      const s = await make();
      const k = id('ttl');
      expect(await s.claimOnce(k, 1)).toBe(true);
      expect(await s.claimOnce(k, 1)).toBe(false);
      // Advance the injected clock and real time both, so server-clock stores pass too.
      clock += 1_500;
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await s.claimOnce(k, 1)).toBe(true);
    });
  });
}
