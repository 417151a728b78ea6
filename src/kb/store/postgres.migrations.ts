/**
 * Versioned schema of the PostgreSQL knowledge-base store. Each migration runs once,
 * in order, inside one transaction holding an advisory lock, and is recorded in
 * `<prefix>migrations`. Never edit a released migration: add the next version.
 */
export interface Migration {
  version: number;
  name: string;
  /** Statements; `{t}` is replaced by the quoted, schema-qualified table-name prefix. */
  statements: string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'meta and chunk vectors',
    statements: [
      'CREATE TABLE IF NOT EXISTS {t}meta (key text PRIMARY KEY, value text NOT NULL)',
      // Untyped vector until the first embeddings tell the dimension; reset() then fixes it and builds the index.
      `CREATE TABLE IF NOT EXISTS {t}chunks (
        id text PRIMARY KEY,
        content_hash text NOT NULL,
        source text NOT NULL,
        embedding vector NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
  {
    version: 2,
    name: 'chunks by source',
    statements: ['CREATE INDEX IF NOT EXISTS {i}chunks_source_idx ON {t}chunks (source)'],
  },
];

/** Largest dimension pgvector's HNSW index accepts for `vector`; up to 4,000 fit as `halfvec`. */
export const HNSW_MAX_VECTOR_DIM = 2_000;
export const HNSW_MAX_HALFVEC_DIM = 4_000;

export type IndexKind = 'hnsw_vector' | 'hnsw_halfvec' | 'none';

export function indexKindFor(dimension: number): IndexKind {
  if (dimension <= HNSW_MAX_VECTOR_DIM) return 'hnsw_vector';
  if (dimension <= HNSW_MAX_HALFVEC_DIM) return 'hnsw_halfvec';
  return 'none';
}
