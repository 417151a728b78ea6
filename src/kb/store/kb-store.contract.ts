import { EmbeddingSpaceMismatchError, type KbStore, type StoredChunkVector } from './kb-store.port';

export interface KbStoreContractHooks {
  /** A fresh, empty store (init() not yet called). */
  create: () => Promise<KbStore>;
  /** A second store over the same storage, for durable implementations. */
  reopen?: () => Promise<KbStore>;
  /** Removes everything the suite created (schemas, tables). */
  cleanup?: () => Promise<void>;
}

/** Deterministic pseudo-random vectors, so failures reproduce. */
function vectors(n: number, dim: number, seed = 7): number[][] {
  let s = seed;
  const rnd = () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648) * 2 - 1;
  return Array.from({ length: n }, () => Array.from({ length: dim }, rnd));
}

const item = (id: string, embedding: number[], contentHash = `h-${id}`, source = 'a.md'): StoredChunkVector => ({ id, contentHash, source, embedding });

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/**
 * The behaviour every KB_STORE implementation must have. Run it from the
 * implementation's spec: `runKbStoreContract('memory', { create: async () => new MemoryKbStore() })`.
 */
export function runKbStoreContract(name: string, hooks: KbStoreContractHooks): void {
  describe(`KbStore contract: ${name}`, () => {
    const open: KbStore[] = [];
    const make = async () => {
      const s = await hooks.create();
      open.push(s);
      await s.init();
      return s;
    };
    afterEach(async () => {
      while (open.length) await open.pop()!.close();
    });
    afterAll(async () => {
      await hooks.cleanup?.();
    });

    it('starts empty with no embedding space; init is idempotent; ping answers', async () => {
      const s = await make();
      await s.init();
      await expect(s.ping()).resolves.toBeUndefined();
      expect(await s.space()).toBeUndefined();
      expect(await s.count()).toBe(0);
      expect((await s.storedHashes()).size).toBe(0);
      expect(await s.nearest([1, 0, 0], 3)).toEqual([]);
    });

    it('refuses vectors before a space is recorded, and vectors of another size after', async () => {
      const s = await make();
      await expect(s.upsert([item('a', [1, 2, 3])])).rejects.toBeInstanceOf(EmbeddingSpaceMismatchError);
      await s.reset({ model: 'm1', dimension: 3 });
      expect(await s.space()).toEqual({ model: 'm1', dimension: 3 });
      await expect(s.upsert([item('a', [1, 2, 3, 4])])).rejects.toBeInstanceOf(EmbeddingSpaceMismatchError);
      await s.upsert([item('a', [1, 2, 3])]);
      await expect(s.nearest([1, 2], 1)).rejects.toBeInstanceOf(EmbeddingSpaceMismatchError);
    });

    it('upserts by chunk id and reports the stored content hashes', async () => {
      const s = await make();
      await s.reset({ model: 'm', dimension: 4 });
      await s.upsert([item('doc.md#a', [1, 0, 0, 0], 'h1'), item('doc.md#b', [0, 1, 0, 0], 'h2')]);
      await s.upsert([item('doc.md#a', [0, 0, 1, 0], 'h1-new')]);
      expect(await s.count()).toBe(2);
      expect(await s.storedHashes()).toEqual(new Map([['doc.md#a', 'h1-new'], ['doc.md#b', 'h2']]));
      const [top] = await s.nearest([0, 0, 1, 0], 1);
      expect(top.id).toBe('doc.md#a');
    });

    it('deletes the given ids and counts only those that existed', async () => {
      const s = await make();
      await s.reset({ model: 'm', dimension: 2 });
      await s.upsert([item('a', [1, 0]), item('b', [0, 1]), item('c', [1, 1])]);
      expect(await s.delete(['a', 'c', 'missing'])).toBe(2);
      expect(await s.delete([])).toBe(0);
      expect([...(await s.storedHashes()).keys()]).toEqual(['b']);
    });

    it('returns the k nearest by cosine similarity, nearest first, with similarities', async () => {
      const s = await make();
      await s.reset({ model: 'm', dimension: 3 });
      await s.upsert([item('same', [2, 0, 0]), item('close', [1, 0.2, 0]), item('orthogonal', [0, 1, 0]), item('opposite', [-3, 0, 0])]);
      const hits = await s.nearest([1, 0, 0], 3);
      expect(hits.map((h) => h.id)).toEqual(['same', 'close', 'orthogonal']);
      expect(hits[0].similarity).toBeCloseTo(1, 4);
      expect(hits[1].similarity).toBeCloseTo(cosine([1, 0.2, 0], [1, 0, 0]), 4);
      expect(hits[2].similarity).toBeCloseTo(0, 4);
      const all = await s.nearest([1, 0, 0], 10);
      expect(all.map((h) => h.id)).toEqual(['same', 'close', 'orthogonal', 'opposite']);
      expect(all[3].similarity).toBeCloseTo(-1, 4);
    });

    it('finds the same neighbours as an exact scan among a few hundred vectors, for k larger than a typical index candidate list', async () => {
      const s = await make();
      const dim = 16;
      const data = vectors(300, dim);
      await s.reset({ model: 'm', dimension: dim });
      await s.upsert(data.map((v, i) => item(`c${i}`, v)));
      const q = vectors(1, dim, 99)[0];
      const exact = data.map((v, i) => ({ id: `c${i}`, sim: cosine(v, q) })).sort((a, b) => b.sim - a.sim);
      const top10 = await s.nearest(q, 10);
      const overlap = top10.filter((h) => exact.slice(0, 10).some((e) => e.id === h.id)).length;
      expect(overlap).toBeGreaterThanOrEqual(9);
      const many = await s.nearest(q, 150);
      expect(many).toHaveLength(150);
      for (let i = 1; i < many.length; i++) expect(many[i - 1].similarity).toBeGreaterThanOrEqual(many[i].similarity - 1e-6);
    });

    it('reset to a new space drops every vector and accepts the new size', async () => {
      const s = await make();
      await s.reset({ model: 'small', dimension: 2 });
      await s.upsert([item('a', [1, 0])]);
      await s.reset({ model: 'large', dimension: 5 });
      expect(await s.count()).toBe(0);
      expect(await s.space()).toEqual({ model: 'large', dimension: 5 });
      await s.upsert([item('a', [0, 0, 0, 0, 1])]);
      expect((await s.nearest([0, 0, 0, 0, 1], 1))[0].id).toBe('a');
    });

    if (hooks.reopen) {
      const reopen = hooks.reopen;
      it('keeps vectors, hashes and the space across instances', async () => {
        const s = await make();
        await s.reset({ model: 'm', dimension: 3 });
        await s.upsert([item('kept', [0, 1, 0], 'hash-kept')]);
        const again = await reopen();
        open.push(again);
        await again.init();
        expect(await again.space()).toEqual({ model: 'm', dimension: 3 });
        expect(await again.storedHashes()).toEqual(new Map([['kept', 'hash-kept']]));
        expect((await again.nearest([0, 1, 0], 1))[0].id).toBe('kept');
      });
    }
  });
}
