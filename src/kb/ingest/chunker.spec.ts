import type { KbDocument } from '../kb.types';
import { chunkDocument, embeddingText } from './chunker';

const doc = (sections: KbDocument['sections'], over: Partial<KbDocument> = {}): KbDocument => ({
  source: 'guides/bulk.md',
  title: 'Bulk edit',
  url: 'https://help.example/bulk',
  pages: ['/projects'],
  sections,
  ...over,
});

const words = (n: number, w = 'word') => Array.from({ length: n }, (_, i) => `${w}${i}`).join(' ');

describe('chunkDocument', () => {
  it('makes one chunk per section, carrying title, heading path, url, pages and a content hash', () => {
    const chunks = chunkDocument(doc([{ headingPath: [], paragraphs: ['Intro.'] }, { headingPath: ['How to', 'Tags'], paragraphs: ['Add.', 'Replace.'] }]), 1_200);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toMatchObject({ id: 'guides/bulk.md#top', docTitle: 'Bulk edit', headingPath: [], text: 'Intro.', url: 'https://help.example/bulk', pages: ['/projects'] });
    expect(chunks[1]).toMatchObject({ id: 'guides/bulk.md#how-to/tags', text: 'Add.\n\nReplace.' });
    expect(chunks[1].contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(embeddingText(chunks[1])).toBe('Bulk edit › How to › Tags\n\nAdd.\n\nReplace.');
  });

  it('never exceeds maxChars: long sections split at paragraphs, long paragraphs at sentences, endless words at word boundaries', () => {
    const max = 200;
    const paragraphs = [words(10), words(25, 'p'), `${'A sentence here. '.repeat(30)}`, words(80, 'w')];
    const chunks = chunkDocument(doc([{ headingPath: ['Long'], paragraphs }]), max);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(max);
    expect(chunks.length).toBeGreaterThan(4);
    // Nothing is lost or reordered: the words come back in order.
    const all = chunks.map((c) => c.text).join(' ').split(/\s+/);
    expect(all).toEqual(paragraphs.join(' ').split(/\s+/).filter(Boolean));
    // Sentence-split pieces end at a sentence end.
    expect(chunks.filter((c) => c.text.startsWith('A sentence')).every((c) => c.text.endsWith('.'))).toBe(true);
    expect(chunks.map((c) => c.id)).toEqual(chunks.map((_, i) => (i === 0 ? 'guides/bulk.md#long' : `guides/bulk.md#long~${i}`)));
  });

  it('keeps ids and hashes stable across runs, and changes the hash only for chunks whose text or heading changed', () => {
    const a = chunkDocument(doc([{ headingPath: ['One'], paragraphs: ['first'] }, { headingPath: ['Two'], paragraphs: ['second'] }]), 1_200);
    const b = chunkDocument(doc([{ headingPath: ['One'], paragraphs: ['first'] }, { headingPath: ['Two'], paragraphs: ['second, edited'] }]), 1_200);
    expect(b.map((c) => c.id)).toEqual(a.map((c) => c.id));
    expect(b[0].contentHash).toBe(a[0].contentHash);
    expect(b[1].contentHash).not.toBe(a[1].contentHash);
    const renamed = chunkDocument(doc([{ headingPath: ['One'], paragraphs: ['first'] }], { title: 'Renamed' }), 1_200);
    expect(renamed[0].contentHash).not.toBe(a[0].contentHash);
  });

  it('gives repeated headings distinct ids', () => {
    const chunks = chunkDocument(doc([{ headingPath: ['Steps'], paragraphs: ['a'] }, { headingPath: ['Steps'], paragraphs: ['b'] }]), 1_200);
    expect(chunks.map((c) => c.id)).toEqual(['guides/bulk.md#steps', 'guides/bulk.md#steps~1']);
  });
});
