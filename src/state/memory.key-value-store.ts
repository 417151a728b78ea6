import { LRUCache } from 'lru-cache';
import { ValueTooLargeError, type KeyValueStore, type KeyValueStoreOptions } from './key-value-store.port';

interface Entry {
  json: string;
  expiresAt: number;
}

export interface MemoryKeyValueStoreOptions extends KeyValueStoreOptions {
  /** Total bytes of keys and values held; least recently used entries are evicted beyond it. */
  maxBytes: number;
}

/**
 * In-process KEY_VALUE_STORE: an LRU bounded by bytes (not entries), expiry checked
 * against the injectable clock on every read. Node runs each call to completion
 * before the next, which makes setIfAbsent and increment atomic within the process.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly entries: LRUCache<string, Entry>;
  private readonly now: () => number;

  constructor(private readonly opts: MemoryKeyValueStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.entries = new LRUCache<string, Entry>({
      maxSize: opts.maxBytes,
      // UTF-16 in V8: two bytes per character, plus the entry object itself.
      sizeCalculation: (entry, key) => 2 * (key.length + entry.json.length) + 64,
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.live(key);
    return entry ? (JSON.parse(entry.json) as T) : undefined;
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    this.entries.set(key, { json: this.encode(key, value), expiresAt: this.expiry(ttlSeconds) });
  }

  async setIfAbsent<T>(key: string, value: T, ttlSeconds: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.entries.set(key, { json: this.encode(key, value), expiresAt: this.expiry(ttlSeconds) });
    return true;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async increment(key: string, by: number, ttlSeconds: number): Promise<number> {
    const current = this.live(key);
    const next = (current ? Number(JSON.parse(current.json)) || 0 : 0) + by;
    this.entries.set(key, { json: String(next), expiresAt: this.expiry(ttlSeconds) });
    return next;
  }

  async ping(): Promise<void> {
    /* always reachable */
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private encode(key: string, value: unknown): string {
    const json = JSON.stringify(value);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > this.opts.maxValueBytes) throw new ValueTooLargeError(key, bytes, this.opts.maxValueBytes);
    return json;
  }

  private expiry(ttlSeconds: number): number {
    return this.now() + Math.max(1, ttlSeconds) * 1000;
  }
}
