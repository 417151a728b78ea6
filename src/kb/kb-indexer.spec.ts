import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsService } from '../observability/metrics.service';
import { KbIndexer } from './kb-indexer';
import { KbMetrics } from './kb.metrics';
import { resolveKbOptions } from './kb.options';

describe('KbIndexer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kb-indexer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('swaps in a complete index: readers during a reindex see the old one or the new one, never a mix', async () => {
    for (let i = 0; i < 40; i++) await writeFile(join(dir, `v1-${i}.md`), `# Old ${i}\n\n## A\nalpha ${i}\n\n## B\nbeta ${i}\n`);
    const indexer = new KbIndexer({ options: resolveKbOptions({ dir }), metrics: new KbMetrics(new MetricsService()) });
    await indexer.reindex();
    const before = indexer.current();
    expect(before.chunks).toHaveLength(80);

    for (let i = 0; i < 40; i++) await rm(join(dir, `v1-${i}.md`));
    for (let i = 0; i < 60; i++) await writeFile(join(dir, `v2-${i}.md`), `# New ${i}\n\nonly one section ${i}\n`);
    const seen = new Set<unknown>();
    let done = false;
    const run = indexer.reindex().then(() => (done = true));
    while (!done) {
      const snap = indexer.current();
      seen.add(snap);
      const sources = new Set(snap.documents.map((d) => d.source));
      expect(snap.chunks.every((c) => sources.has(c.source))).toBe(true);
      expect([80, 60]).toContain(snap.chunks.length);
      await new Promise((r) => setImmediate(r));
    }
    await run;
    expect(indexer.current().chunks).toHaveLength(60);
    expect(indexer.current().lexical.size).toBe(60);
    expect(seen.size).toBeLessThanOrEqual(2);
  });

  it('keeps the previous index and reports the error when the folder disappears', async () => {
    await writeFile(join(dir, 'a.md'), '# A\ntext');
    const metrics = new MetricsService();
    const indexer = new KbIndexer({ options: resolveKbOptions({ dir }), metrics: new KbMetrics(metrics) });
    await indexer.reindex();
    await rm(dir, { recursive: true, force: true });
    await expect(indexer.reindex()).rejects.toThrow(/does not exist/);
    expect(indexer.current().chunks).toHaveLength(1);
    expect(indexer.lastError).toMatch(/does not exist/);
    expect(await metrics.render()).toMatch(/kb_reindex_total\{outcome="failure"\} 1/);
  });
});
