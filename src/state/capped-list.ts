import type { KeyValueStore } from './key-value-store.port';

/**
 * A short newest-first list kept as one KEY_VALUE_STORE value: `item` goes first, entries
 * `replaces` says it supersedes are dropped, the list is cut to `max` and stored for
 * `ttlSeconds`. A read-modify-write, so two writers at the same instant may lose one entry:
 * for operator views (histories, directories), never for anything that must not be lost.
 */
export async function prependCapped<T>(
  kv: KeyValueStore,
  key: string,
  item: T,
  opts: { max: number; ttlSeconds: number; replaces?: (existing: T) => boolean },
): Promise<void> {
  const list = (await kv.get<T[]>(key)) ?? [];
  const rest = opts.replaces ? list.filter((e) => !opts.replaces!(e)) : list;
  await kv.set(key, [item, ...rest].slice(0, opts.max), opts.ttlSeconds);
}

/** The list prependCapped keeps, newest first (empty when there is none). */
export async function readCapped<T>(kv: KeyValueStore, key: string): Promise<T[]> {
  return (await kv.get<T[]>(key)) ?? [];
}
