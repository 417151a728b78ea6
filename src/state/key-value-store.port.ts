/**
 * KEY_VALUE_STORE port: small pieces of per-deployment state with an expiry (a
 * conversation's verified identity, an answer prepared but not yet sent, a
 * per-session counter). Values are JSON. Every key expires: there is no way to
 * store something forever. Implementations: memory (one process), redis (replicas);
 * both pass key-value-store.contract.ts.
 */
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  /** Stores (replaces) a value for ttlSeconds. Throws ValueTooLargeError past the per-value cap. */
  set<T>(key: string, value: T, ttlSeconds: number): Promise<void>;
  /** Stores only when the key is absent; true when this call stored it (atomic). */
  setIfAbsent<T>(key: string, value: T, ttlSeconds: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Adds `by` to an integer counter (missing = 0) and returns the new value; the
   * expiry is (re)set to ttlSeconds. Atomic, so concurrent callers get distinct values.
   */
  increment(key: string, by: number, ttlSeconds: number): Promise<number>;
  /** Throws when the backing store is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A value whose JSON is larger than the store's per-value cap; it is refused, never truncated. */
export class ValueTooLargeError extends Error {
  constructor(
    readonly key: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`value for ${key.slice(0, 80)} is ${bytes} bytes (limit ${limit})`);
    this.name = 'ValueTooLargeError';
  }
}

export interface KeyValueStoreOptions {
  /** Largest JSON value accepted, in bytes. */
  maxValueBytes: number;
  /** Clock for expiry; injectable so tests need not sleep. */
  now?: () => number;
}
