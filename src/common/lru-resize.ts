import type { LRUCache } from 'lru-cache';

/**
 * Stores `value` under `key` so that a byte-budgeted cache (maxSize + sizeCalculation)
 * weighs it as it is now. lru-cache computes a size when a value is first set and keeps
 * it while the same object stays under the key: set() with that object again only
 * refreshes recency. A record that grows in place (one action per append) would keep the
 * size of its first version and the budget would not bind, so it is taken out and put
 * back. Putting back makes it the most recently used entry, which every caller wants.
 * For caches without `dispose` or a TTL (delete would report a disposal and set would start
 * a new TTL); a value larger than the whole budget is dropped, as lru-cache drops it on set().
 */
export function setResized<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(cache: LRUCache<K, V>, key: K, value: V): void {
  if (cache.maxSize > 0) cache.delete(key);
  cache.set(key, value);
}
