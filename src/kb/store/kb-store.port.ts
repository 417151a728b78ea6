/** Which model produced the stored vectors, and their size. Vectors of different spaces never mix. */
export interface EmbeddingSpace {
  model: string;
  dimension: number;
}

export interface StoredChunkVector {
  /** Chunk id (KbChunk.id). */
  id: string;
  /** KbChunk.contentHash of the text the vector was computed from. */
  contentHash: string;
  /** File the chunk came from, for inspection and bulk deletes. */
  source: string;
  embedding: readonly number[];
}

export interface VectorMatch {
  id: string;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

/** Thrown when vectors do not fit the recorded space (call reset with the new one first). */
export class EmbeddingSpaceMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddingSpaceMismatchError';
  }
}

/**
 * KB_STORE: where chunk vectors live, keyed by chunk id with the content hash they
 * were computed from, so a reindex re-embeds only chunks whose text changed.
 * Implementations: memory, PostgreSQL + pgvector. Both pass kb-store.contract.ts.
 */
export interface KbStore {
  readonly driver: 'memory' | 'postgres';
  /** Creates or migrates storage; idempotent, safe to call again after a failure. */
  init(): Promise<void>;
  /** The recorded space, or undefined while nothing was ever stored. */
  space(): Promise<EmbeddingSpace | undefined>;
  /** Drops every vector and records a new space (model or dimension changed). */
  reset(space: EmbeddingSpace): Promise<void>;
  /** Chunk id → content hash of every stored vector. */
  storedHashes(): Promise<Map<string, string>>;
  /** Inserts or replaces vectors; each must have the recorded space's dimension. */
  upsert(items: readonly StoredChunkVector[]): Promise<void>;
  /** Removes these chunk ids; returns how many existed. */
  delete(ids: readonly string[]): Promise<number>;
  /** The `k` stored vectors nearest to `vector` by cosine similarity, nearest first. */
  nearest(vector: readonly number[], k: number): Promise<VectorMatch[]>;
  count(): Promise<number>;
  /** Resolves when the store is reachable; rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
