import { Client } from 'pg';
import { runKbStoreContract } from './kb-store.contract';
import { PostgresKbStore } from './postgres.kb-store';
import { MIGRATIONS } from './postgres.migrations';

/** Real PostgreSQL with pgvector (CI starts it; see .ci/ensure-pgvector). Unreachable means failing tests, never skipped ones. */
export const TEST_DATABASE_URL = process.env.KB_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// One schema per test file run, so parallel runs and earlier leftovers never collide.
const schema = `kb_contract_${process.pid}_${Date.now().toString(36)}`;
let n = 0;
// Each test gets its own table prefix inside the run's schema: tests stay independent.
let prefix = 'kb_t0_';

async function dropSchema(): Promise<void> {
  const c = new Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

runKbStoreContract('postgres', {
  create: async () => {
    prefix = `kb_t${++n}_`;
    return new PostgresKbStore({ url: TEST_DATABASE_URL, schema, tablePrefix: prefix });
  },
  reopen: async () => new PostgresKbStore({ url: TEST_DATABASE_URL, schema, tablePrefix: prefix }),
  cleanup: dropSchema,
});

describe('PostgresKbStore schema', () => {
  const own = `${schema}_m`;
  afterAll(async () => {
    const c = new Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${own}" CASCADE`);
    await c.end();
  });

  it('records each migration once, builds an HNSW cosine index on reset, and uses it for nearest-neighbour queries', async () => {
    const store = new PostgresKbStore({ url: TEST_DATABASE_URL, schema: own, tablePrefix: 'kb_' });
    const again = new PostgresKbStore({ url: TEST_DATABASE_URL, schema: own, tablePrefix: 'kb_' });
    const c = new Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      // Two instances migrating at once (two replicas booting) must not collide.
      await Promise.all([store.init(), again.init()]);
      expect(await store.appliedMigrations()).toEqual(MIGRATIONS.map((m) => m.version));
      const rows = await c.query(`SELECT count(*)::int AS n FROM "${own}".kb_migrations`);
      expect(rows.rows[0].n).toBe(MIGRATIONS.length);

      await store.reset({ model: 'm', dimension: 8 });
      const idx = await c.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'kb_chunks_embedding_idx'`, [own]);
      expect(idx.rows[0].indexdef).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
      const col = await c.query(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = '"${own}".kb_chunks'::regclass AND attname = 'embedding'`);
      expect(col.rows[0].t).toBe('vector(8)');

      await store.upsert(Array.from({ length: 50 }, (_, i) => ({ id: `c${i}`, contentHash: 'h', source: 's', embedding: Array.from({ length: 8 }, (_, j) => Math.sin(i + j)) })));
      await c.query(`ANALYZE "${own}".kb_chunks`);
      await c.query('SET enable_seqscan = off');
      const plan = await c.query(`EXPLAIN SELECT id FROM "${own}".kb_chunks ORDER BY embedding <=> '[1,0,0,0,0,0,0,0]'::vector LIMIT 5`);
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/kb_chunks_embedding_idx/);
    } finally {
      await c.end();
      await store.close();
      await again.close();
    }
  });

  it('indexes dimensions above 2,000 as halfvec and still answers nearest queries', async () => {
    const store = new PostgresKbStore({ url: TEST_DATABASE_URL, schema: own, tablePrefix: 'kb_wide_' });
    try {
      await store.init();
      await store.reset({ model: 'wide', dimension: 3_072 });
      const v = (k: number) => Array.from({ length: 3_072 }, (_, j) => (j === k ? 1 : 0));
      await store.upsert([{ id: 'x', contentHash: 'h', source: 's', embedding: v(0) }, { id: 'y', contentHash: 'h', source: 's', embedding: v(1) }]);
      expect((await store.nearest(v(1), 1))[0].id).toBe('y');
    } finally {
      await store.close();
    }
  });

  it('fails init with the connection error when the database cannot be reached', async () => {
    const store = new PostgresKbStore({ url: 'postgres://postgres@127.0.0.1:1/test', connectTimeoutMs: 1_000 });
    try {
      await expect(store.init()).rejects.toThrow(/ECONNREFUSED|connect/);
      await expect(store.ping()).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});
