import { prependCapped, readCapped } from './capped-list';
import { MemoryKeyValueStore } from './memory.key-value-store';

describe('prependCapped', () => {
  it('keeps the newest entries first, at most max, dropping the ones an entry replaces, for ttlSeconds', async () => {
    let now = 1_000_000;
    const kv = new MemoryKeyValueStore({ maxValueBytes: 10_000, maxBytes: 1_000_000, now: () => now });
    expect(await readCapped(kv, 'k')).toEqual([]);
    for (const id of ['a', 'b', 'c', 'd']) await prependCapped(kv, 'k', { id }, { max: 3, ttlSeconds: 60 });
    expect(await readCapped(kv, 'k')).toEqual([{ id: 'd' }, { id: 'c' }, { id: 'b' }]);
    await prependCapped(kv, 'k', { id: 'b', v: 2 }, { max: 3, ttlSeconds: 60, replaces: (e: { id: string }) => e.id === 'b' });
    expect(await readCapped(kv, 'k')).toEqual([{ id: 'b', v: 2 }, { id: 'd' }, { id: 'c' }]);
    now += 61_000;
    expect(await readCapped(kv, 'k')).toEqual([]);
  });
});
