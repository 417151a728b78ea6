import { ValueTooLargeError, type KeyValueStore, type KeyValueStoreOptions } from './key-value-store.port';

/**
 * The behaviour every KEY_VALUE_STORE implementation must have. `now` drives expiry for
 * implementations that honour it; stores with a server-side clock (Redis) pass
 * `realClock: true` and the suite waits for real.
 */
export function runKeyValueStoreContract(
  name: string,
  create: (opts: KeyValueStoreOptions) => KeyValueStore | Promise<KeyValueStore>,
  { realClock = false } = {},
): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let clock = 1_800_000_000_000;
    const stores: KeyValueStore[] = [];
    let n = 0;
    const key = (label: string) => `kvc:${process.pid}:${Date.now().toString(36)}:${++n}:${label}`;
    const make = async (over: Partial<KeyValueStoreOptions> = {}) => {
      const s = await create({ maxValueBytes: 64 * 1024, now: () => clock, ...over });
      stores.push(s);
      return s;
    };
    const advance = async (ms: number) => {
      if (realClock) await new Promise((r) => setTimeout(r, ms));
      else clock += ms;
    };
    afterEach(async () => {
      while (stores.length) await stores.pop()!.close();
    });

    it('stores JSON values and reads them back', async () => {
      const s = await make();
      const k = key('json');
      expect(await s.get(k)).toBeUndefined();
      await s.set(k, { userId: 'u1', verified: true, n: 3 }, 60);
      expect(await s.get(k)).toEqual({ userId: 'u1', verified: true, n: 3 });
      await s.set(k, 'replaced', 60);
      expect(await s.get(k)).toBe('replaced');
      await s.delete(k);
      expect(await s.get(k)).toBeUndefined();
    });

    it('expires values after their ttl', async () => {
      const s = await make();
      const k = key('ttl');
      await s.set(k, 1, 1);
      expect(await s.get(k)).toBe(1);
      await advance(1_100);
      expect(await s.get(k)).toBeUndefined();
    });

    it('setIfAbsent stores once', async () => {
      const s = await make();
      const k = key('nx');
      const results = await Promise.all([s.setIfAbsent(k, 'a', 60), s.setIfAbsent(k, 'b', 60), s.setIfAbsent(k, 'c', 60)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(['a', 'b', 'c']).toContain(await s.get(k));
    });

    it('increment is atomic and starts from zero', async () => {
      const s = await make();
      const k = key('ctr');
      const values = await Promise.all(Array.from({ length: 20 }, () => s.increment(k, 3, 60)));
      expect(new Set(values).size).toBe(20);
      expect(Math.max(...values)).toBe(60);
      expect(await s.increment(k, 0, 60)).toBe(60);
    });

    it('refuses a value larger than the per-value cap instead of truncating it', async () => {
      const s = await make({ maxValueBytes: 100 });
      const k = key('big');
      await expect(s.set(k, 'x'.repeat(200), 60)).rejects.toBeInstanceOf(ValueTooLargeError);
      expect(await s.get(k)).toBeUndefined();
    });

    it('answers ping while reachable', async () => {
      const s = await make();
      await expect(s.ping()).resolves.toBeUndefined();
    });
  });
}
