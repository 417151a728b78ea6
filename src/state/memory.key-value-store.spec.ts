import { runKeyValueStoreContract } from './key-value-store.contract';
import { MemoryKeyValueStore } from './memory.key-value-store';

runKeyValueStoreContract('memory', (o) => new MemoryKeyValueStore({ ...o, maxBytes: 1024 * 1024 }));

describe('MemoryKeyValueStore', () => {
  it('stays within its byte budget, evicting least recently used entries', async () => {
    const s = new MemoryKeyValueStore({ maxValueBytes: 10_000, maxBytes: 50_000 });
    for (let i = 0; i < 100; i++) await s.set(`k${i}`, 'v'.repeat(1_000), 60);
    expect(await s.get('k0')).toBeUndefined();
    expect(await s.get('k99')).toBe('v'.repeat(1_000));
  });
});
