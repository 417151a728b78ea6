import type { ResolvedKbOptions } from '../kb.options';
import type { KbStore } from './kb-store.port';
import { MemoryKbStore } from './memory.kb-store';
import { PostgresKbStore } from './postgres.kb-store';

/** The one place KB_STORE=… becomes an implementation. Vectors exist only with embeddings on. */
export function createKbStore(opts: ResolvedKbOptions): KbStore | undefined {
  if (opts.embeddings.provider === 'none') return undefined;
  switch (opts.store) {
    case 'memory':
      return new MemoryKbStore();
    case 'postgres':
      if (!opts.databaseUrl) throw new Error('KB_STORE=postgres needs DATABASE_URL');
      return new PostgresKbStore({ url: opts.databaseUrl, schema: opts.postgresSchema, tablePrefix: opts.postgresTablePrefix });
    default:
      throw new Error(`Unknown KB_STORE "${String(opts.store)}" (expected memory or postgres)`);
  }
}
