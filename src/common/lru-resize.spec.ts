import { LRUCache } from 'lru-cache';
import { setResized } from './lru-resize';

describe('setResized', () => {
  it('makes the byte budget weigh a record that grew in place (plain set() keeps its first size)', () => {
    const cache = new LRUCache<string, { bytes: number }>({ max: 10, maxSize: 1_000, sizeCalculation: (v) => v.bytes });
    const rec = { bytes: 10 };
    cache.set('a', rec);
    rec.bytes = 600;
    cache.set('a', rec);
    expect(cache.calculatedSize).toBe(10); // lru-cache's behaviour this helper exists for
    setResized(cache, 'a', rec);
    expect(cache.calculatedSize).toBe(600);
    setResized(cache, 'b', { bytes: 600 });
    expect(cache.has('a')).toBe(false); // evicted: both no longer fit
    expect(cache.calculatedSize).toBe(600);
  });

  it('keeps the re-set entry as the most recently used one', () => {
    const cache = new LRUCache<string, { bytes: number }>({ max: 2, maxSize: 1_000, sizeCalculation: (v) => v.bytes });
    cache.set('a', { bytes: 1 });
    cache.set('b', { bytes: 1 });
    setResized(cache, 'a', { bytes: 2 });
    cache.set('c', { bytes: 1 });
    expect([...cache.keys()]).toEqual(['c', 'a']);
  });
});
