import { Logger } from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import { EmbeddingSpaceMismatchError, type EmbeddingSpace, type KbStore, type StoredChunkVector, type VectorMatch } from './kb-store.port';
import { indexKindFor, MIGRATIONS, type IndexKind } from './postgres.migrations';

export interface PostgresKbStoreOptions {
  url: string;
  /** Schema of the tables (created when missing). Default public. */
  schema?: string;
  /** Table-name prefix. Default kb_. */
  tablePrefix?: string;
  /** Pool size. Default 4. */
  maxConnections?: number;
  /** Give up connecting after this long. Default 5000. */
  connectTimeoutMs?: number;
  /** HNSW candidate list size; a query for more neighbours raises it for that query. Default 100. */
  efSearch?: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,40}$/;
const ROWS_PER_INSERT = 500;

const toVectorText = (v: readonly number[]) => `[${v.join(',')}]`;

/**
 * Chunk vectors in PostgreSQL with pgvector: one row per chunk id with its content
 * hash, an HNSW index with cosine distance, and the embedding space (model,
 * dimension) recorded in a meta table. Migrations run from init().
 */
export class PostgresKbStore implements KbStore {
  readonly driver = 'postgres' as const;
  private readonly logger = new Logger(PostgresKbStore.name);
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly prefix: string;
  private readonly efSearch: number;
  private cachedSpace?: { space: EmbeddingSpace; index: IndexKind } | null;

  constructor(opts: PostgresKbStoreOptions) {
    this.schema = opts.schema ?? 'public';
    this.prefix = opts.tablePrefix ?? 'kb_';
    if (!IDENTIFIER.test(this.schema) || !IDENTIFIER.test(this.prefix)) throw new Error('schema and table prefix must be lowercase identifiers');
    this.efSearch = opts.efSearch ?? 100;
    this.pool = new Pool({ connectionString: opts.url, max: opts.maxConnections ?? 4, connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000, idleTimeoutMillis: 30_000 });
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on('error', (err) => this.logger.warn({ err: err.message }, 'knowledge-base PostgreSQL connection error'));
    this.pool.on('connect', (client) => {
      client.query(`SET hnsw.ef_search = ${Math.floor(this.efSearch)}`).catch(() => undefined);
    });
  }

  /** `"schema".prefix` for table names in SQL. */
  private get t(): string {
    return `"${this.schema}".${this.prefix}`;
  }

  private sql(statement: string): string {
    return statement.replace(/\{t\}/g, this.t).replace(/\{i\}/g, this.prefix);
  }

  async init(): Promise<void> {
    const client = await this.pool.connect();
    try {
      const ext = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'");
      if (ext.rowCount === 0) {
        try {
          await client.query('CREATE EXTENSION IF NOT EXISTS vector');
        } catch (err) {
          throw new Error(`the pgvector extension is not installed in this database and could not be created (${(err as Error).message}); run CREATE EXTENSION vector as a superuser`, { cause: err });
        }
      }
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`activity-copilot-kb:${this.schema}.${this.prefix}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(this.sql('CREATE TABLE IF NOT EXISTS {t}migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())'));
      const done = new Set((await client.query<{ version: number }>(this.sql('SELECT version FROM {t}migrations'))).rows.map((r) => r.version));
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const s of m.statements) await client.query(this.sql(s));
        await client.query(this.sql('INSERT INTO {t}migrations (version, name) VALUES ($1, $2)'), [m.version, m.name]);
        this.logger.log({ version: m.version, name: m.name, schema: this.schema, prefix: this.prefix }, 'knowledge-base migration applied');
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    this.cachedSpace = undefined;
  }

  /** Versions applied so far (for tests and diagnostics). */
  async appliedMigrations(): Promise<number[]> {
    const res = await this.pool.query<{ version: number }>(this.sql('SELECT version FROM {t}migrations ORDER BY version'));
    return res.rows.map((r) => r.version);
  }

  private async loadSpace(): Promise<{ space: EmbeddingSpace; index: IndexKind } | null> {
    if (this.cachedSpace !== undefined) return this.cachedSpace;
    const res = await this.pool.query<{ key: string; value: string }>(this.sql("SELECT key, value FROM {t}meta WHERE key IN ('model', 'dimension', 'index')"));
    const m = new Map(res.rows.map((r) => [r.key, r.value]));
    const dimension = Number(m.get('dimension'));
    this.cachedSpace = m.has('model') && Number.isInteger(dimension) ? { space: { model: m.get('model')!, dimension }, index: (m.get('index') as IndexKind) ?? 'none' } : null;
    return this.cachedSpace;
  }

  async space(): Promise<EmbeddingSpace | undefined> {
    const s = await this.loadSpace();
    return s ? { ...s.space } : undefined;
  }

  async reset(space: EmbeddingSpace): Promise<void> {
    if (!Number.isInteger(space.dimension) || space.dimension < 1 || space.dimension > 16_000) throw new EmbeddingSpaceMismatchError(`unsupported dimension ${space.dimension}`);
    const index = indexKindFor(space.dimension);
    const d = space.dimension;
    await this.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`activity-copilot-kb:${this.schema}.${this.prefix}`]);
      await c.query(this.sql('TRUNCATE {t}chunks'));
      await c.query(this.sql(`DROP INDEX IF EXISTS "${this.schema}".${this.prefix}chunks_embedding_idx`));
      await c.query(this.sql(`ALTER TABLE {t}chunks ALTER COLUMN embedding TYPE vector(${d})`));
      if (index === 'hnsw_vector') await c.query(this.sql(`CREATE INDEX ${this.prefix}chunks_embedding_idx ON {t}chunks USING hnsw (embedding vector_cosine_ops)`));
      if (index === 'hnsw_halfvec') await c.query(this.sql(`CREATE INDEX ${this.prefix}chunks_embedding_idx ON {t}chunks USING hnsw ((embedding::halfvec(${d})) halfvec_cosine_ops)`));
      for (const [key, value] of [['model', space.model], ['dimension', String(d)], ['index', index]]) {
        await c.query(this.sql('INSERT INTO {t}meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value'), [key, value]);
      }
    });
    this.cachedSpace = { space: { ...space }, index };
    if (index === 'none') this.logger.warn({ dimension: d }, 'embedding dimension too large for an HNSW index; vector search scans every row');
  }

  async storedHashes(): Promise<Map<string, string>> {
    const res = await this.pool.query<{ id: string; content_hash: string }>(this.sql('SELECT id, content_hash FROM {t}chunks'));
    return new Map(res.rows.map((r) => [r.id, r.content_hash]));
  }

  async upsert(items: readonly StoredChunkVector[]): Promise<void> {
    if (items.length === 0) return;
    const s = await this.loadSpace();
    if (!s) throw new EmbeddingSpaceMismatchError('no embedding space recorded; call reset() first');
    for (const item of items) {
      if (item.embedding.length !== s.space.dimension) throw new EmbeddingSpaceMismatchError(`vector of ${item.embedding.length} dimensions for a store of ${s.space.dimension}`);
    }
    await this.transaction(async (c) => {
      for (let i = 0; i < items.length; i += ROWS_PER_INSERT) {
        const rows = items.slice(i, i + ROWS_PER_INSERT);
        await c.query(
          this.sql(`INSERT INTO {t}chunks (id, content_hash, source, embedding)
            SELECT id, h, s, e::vector FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS r(id, h, s, e)
            ON CONFLICT (id) DO UPDATE SET content_hash = EXCLUDED.content_hash, source = EXCLUDED.source, embedding = EXCLUDED.embedding, updated_at = now()`),
          [rows.map((r) => r.id), rows.map((r) => r.contentHash), rows.map((r) => r.source), rows.map((r) => toVectorText(r.embedding))],
        );
      }
    });
  }

  async delete(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.pool.query(this.sql('DELETE FROM {t}chunks WHERE id = ANY($1::text[])'), [[...ids]]);
    return res.rowCount ?? 0;
  }

  async nearest(vector: readonly number[], k: number): Promise<VectorMatch[]> {
    if (k <= 0) return [];
    const s = await this.loadSpace();
    if (!s) return [];
    if (vector.length !== s.space.dimension) throw new EmbeddingSpaceMismatchError(`query of ${vector.length} dimensions for a store of ${s.space.dimension}`);
    const d = s.space.dimension;
    // The ORDER BY must be the indexed expression for the HNSW index to be used.
    const distance = s.index === 'hnsw_halfvec' ? `embedding::halfvec(${d}) <=> $1::halfvec(${d})` : 'embedding <=> $1::vector';
    const query = this.sql(`SELECT id, 1 - (${distance}) AS similarity FROM {t}chunks ORDER BY ${distance} LIMIT $2`);
    const params = [toVectorText(vector), Math.floor(k)];
    // HNSW returns at most ef_search rows; a larger k raises it for this query only.
    const res =
      k > this.efSearch
        ? await this.transaction(async (c) => {
            await c.query(`SET LOCAL hnsw.ef_search = ${Math.min(1_000, Math.floor(k))}`);
            return c.query<{ id: string; similarity: number }>(query, params);
          })
        : await this.pool.query<{ id: string; similarity: number }>(query, params);
    return res.rows.map((r) => ({ id: r.id, similarity: Number(r.similarity) }));
  }

  /** Exact nearest neighbours without the index (a sequential scan): the reference for benchmarks and recall checks. */
  async nearestExact(vector: readonly number[], k: number): Promise<VectorMatch[]> {
    return this.transaction(async (c) => {
      await c.query('SET LOCAL enable_indexscan = off');
      const res = await c.query<{ id: string; similarity: number }>(
        this.sql('SELECT id, 1 - (embedding <=> $1::vector) AS similarity FROM {t}chunks ORDER BY embedding <=> $1::vector LIMIT $2'),
        [toVectorText(vector), Math.floor(k)],
      );
      return res.rows.map((r) => ({ id: r.id, similarity: Number(r.similarity) }));
    });
  }

  async count(): Promise<number> {
    const res = await this.pool.query<{ n: string }>(this.sql('SELECT count(*) AS n FROM {t}chunks'));
    return Number(res.rows[0].n);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async transaction<T>(work: (c: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
