/** The constant of reciprocal rank fusion: large enough that no single list dominates. */
export const RRF_K = 60;

export interface FusedItem {
  id: string;
  score: number;
  /** 1-based rank in each input list the item appeared in (undefined where absent). */
  ranks: (number | undefined)[];
}

/**
 * Reciprocal rank fusion: score(d) = Σ 1 / (k + rank_i(d)) over the lists that
 * contain d. Only ranks matter, so scores of different kinds (BM25, cosine) can be
 * fused without calibration. Ties keep the order of first appearance.
 */
export function reciprocalRankFusion(lists: readonly (readonly string[])[], k = RRF_K): FusedItem[] {
  const byId = new Map<string, FusedItem & { first: number }>();
  let seen = 0;
  lists.forEach((list, li) => {
    list.forEach((id, i) => {
      let item = byId.get(id);
      if (!item) {
        item = { id, score: 0, ranks: lists.map(() => undefined), first: seen++ };
        byId.set(id, item);
      }
      if (item.ranks[li] !== undefined) return;
      item.ranks[li] = i + 1;
      item.score += 1 / (k + i + 1);
    });
  });
  return [...byId.values()]
    .sort((a, b) => b.score - a.score || a.first - b.first)
    .map(({ id, score, ranks }) => ({ id, score, ranks }));
}
