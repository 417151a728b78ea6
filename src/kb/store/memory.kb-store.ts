import { EmbeddingSpaceMismatchError, type EmbeddingSpace, type KbStore, type StoredChunkVector, type VectorMatch } from './kb-store.port';

interface Entry {
  contentHash: string;
  source: string;
  /** Unit-length copy, so similarity is a dot product. */
  unit: Float32Array;
}

export function toUnit(v: readonly number[]): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  const out = new Float32Array(v.length);
  if (norm === 0) return out;
  for (let i = 0; i < v.length; i++) out[i] = v[i] / norm;
  return out;
}

/** Vectors in process memory; exact cosine search by linear scan (fine for a help center's few thousand chunks). */
export class MemoryKbStore implements KbStore {
  readonly driver = 'memory' as const;
  private recorded?: EmbeddingSpace;
  private readonly entries = new Map<string, Entry>();

  async init(): Promise<void> {}

  async space(): Promise<EmbeddingSpace | undefined> {
    return this.recorded ? { ...this.recorded } : undefined;
  }

  async reset(space: EmbeddingSpace): Promise<void> {
    this.entries.clear();
    this.recorded = { ...space };
  }

  async storedHashes(): Promise<Map<string, string>> {
    return new Map([...this.entries].map(([id, e]) => [id, e.contentHash]));
  }

  async upsert(items: readonly StoredChunkVector[]): Promise<void> {
    const dim = this.recorded?.dimension;
    if (dim === undefined && items.length) throw new EmbeddingSpaceMismatchError('no embedding space recorded; call reset() first');
    for (const item of items) {
      if (item.embedding.length !== dim) throw new EmbeddingSpaceMismatchError(`vector of ${item.embedding.length} dimensions for a store of ${dim}`);
    }
    for (const item of items) this.entries.set(item.id, { contentHash: item.contentHash, source: item.source, unit: toUnit(item.embedding) });
  }

  async delete(ids: readonly string[]): Promise<number> {
    let n = 0;
    for (const id of ids) if (this.entries.delete(id)) n++;
    return n;
  }

  async nearest(vector: readonly number[], k: number): Promise<VectorMatch[]> {
    if (k <= 0 || this.entries.size === 0) return [];
    if (vector.length !== this.recorded?.dimension) throw new EmbeddingSpaceMismatchError(`query of ${vector.length} dimensions for a store of ${this.recorded?.dimension}`);
    const q = toUnit(vector);
    const top: VectorMatch[] = [];
    for (const [id, e] of this.entries) {
      let dot = 0;
      for (let i = 0; i < q.length; i++) dot += q[i] * e.unit[i];
      if (top.length < k) {
        top.push({ id, similarity: dot });
        if (top.length === k) top.sort((a, b) => b.similarity - a.similarity);
      } else if (dot > top[k - 1].similarity) {
        // Insertion into the sorted top-k keeps the scan O(n·k) worst case, O(n) typical.
        let j = k - 1;
        while (j > 0 && top[j - 1].similarity < dot) {
          top[j] = top[j - 1];
          j--;
        }
        top[j] = { id, similarity: dot };
      }
    }
    return top.sort((a, b) => b.similarity - a.similarity);
  }

  async count(): Promise<number> {
    return this.entries.size;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
