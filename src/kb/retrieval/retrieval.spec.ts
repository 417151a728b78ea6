import { chunkDocument } from '../ingest/chunker';
import type { KbDocument } from '../kb.types';
import { applyBudget, clipAtWord } from './hit-budget';
import { rankChunks } from './kb-retriever';
import { KbSnapshot } from './kb-snapshot';
import { LexicalIndex } from './lexical-index';
import { matchesAnyPage, matchesPagePattern, urlWords } from './page-pattern';
import { actionLabelWords, searchText } from './query-text';
import { reciprocalRankFusion } from './rrf';
import { stem, terms } from './tokenizer';

describe('page patterns', () => {
  it.each([
    ['/projects/:id/edit', '/projects/:id/edit', true],
    ['/projects/:id/edit', '/projects/123/edit', true],
    ['/projects/:id/edit', '/projects/:id', false],
    ['/projects/:id', '/projects/:id/edit', false],
    ['/projects', '/projects/', true],
    ['/projects', '/Projects?tab=mine#top', true],
    ['/projects', '/projects/new', false],
    ['/projects/new', '/projects/:id', false],
    ['/settings/*', '/settings/security', true],
    ['/settings/*', '/settings/api/keys', true],
    ['/settings/*', '/settings', true],
    ['/settings/*', '/billing', false],
    ['/*', '/anything/at/all', true],
    ['/billing', 'https://app.acme.example/billing?x=1', true],
  ])('%s vs %s → %s', (pattern, url, expected) => {
    expect(matchesPagePattern(pattern, url)).toBe(expected);
  });

  it('matches any of a document\'s patterns, never without a page', () => {
    expect(matchesAnyPage(['/a', '/b/:id'], '/b/:id')).toBe(true);
    expect(matchesAnyPage(['/a'], undefined)).toBe(false);
  });

  it('turns a canonical URL into search words without placeholders and ids', () => {
    expect(urlWords('/projects/:id/edit')).toBe('projects edit');
    expect(urlWords('/billing/invoices/8f14e45fceea167a5a36dedd4bea2543')).toBe('billing invoices');
    expect(urlWords('/settings/two-factor_auth')).toBe('settings two factor auth');
  });
});

describe('tokenisation', () => {
  it('lowercases, folds accents, drops function words and stems inflections to one term', () => {
    expect(terms('How do I Invite my teammates?')).toEqual(['invit', 'teammat']);
    for (const w of ['invite', 'invites', 'invited', 'inviting', 'invitation', 'invitations']) expect(stem(w)).toBe('invit');
    for (const w of ['cancel', 'canceled', 'cancelled', 'canceling', 'cancellation']) expect(stem(w)).toBe('cancel');
    for (const w of ['archive', 'archived', 'archiving']) expect(stem(w)).toBe('archiv');
    expect(stem('billing')).toBe(stem('bills'));
    expect(stem('status')).toBe('status');
    expect(stem('access')).toBe('access');
    expect(stem('replies')).toBe(stem('replied'));
    expect(terms('Café résumé 2FA')).toEqual(['caf', 'resum', '2fa']);
  });
});

describe('search text', () => {
  it('keeps the message and adds page title, URL words and the last action label once each, minus words already asked', () => {
    expect(searchText({ message: 'How do I edit tags?', page: { canonicalUrl: '/projects/:id/edit', title: 'Edit project' }, lastActionLabel: "Clicked 'Bulk edit'" })).toEqual({
      message: 'How do I edit tags?',
      context: 'project projects bulk'.split(' ').filter((w, i, a) => a.findIndex((x) => stem(x) === stem(w)) === i).join(' '),
    });
    expect(actionLabelWords("Viewed 'Billing'")).toBe(' Billing ');
  });
});

describe('reciprocal rank fusion', () => {
  it('scores 1/(60 + rank) summed over lists and keeps per-list ranks', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['c', 'a', 'd'],
    ]);
    expect(fused.map((f) => f.id)).toEqual(['a', 'c', 'b', 'd']);
    expect(fused[0].score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fused[1]).toEqual({ id: 'c', score: 1 / 63 + 1 / 61, ranks: [3, 1] });
    expect(fused[3]).toEqual({ id: 'd', score: 1 / 63, ranks: [undefined, 3] });
    expect(reciprocalRankFusion([['x', 'x']])).toEqual([{ id: 'x', score: 1 / 61, ranks: [1] }]);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
  });
});

describe('budget', () => {
  const hit = (id: string, text: string) => ({ chunkId: id, source: id, docTitle: id, headingPath: [], text, score: 1, matchedPage: false });

  it('clips on a word boundary with an ellipsis, never past the limit', () => {
    expect(clipAtWord('one two three four', 12)).toBe('one two…');
    expect(clipAtWord('short', 10)).toBe('short');
    expect(clipAtWord('unbreakableword', 6)).toBe('unbre…');
  });

  it('returns at most topK hits within maxChars of text in total', () => {
    const hits = [hit('a', 'x'.repeat(100)), hit('b', 'y '.repeat(100)), hit('c', 'z')];
    expect(applyBudget(hits, 2, 10_000).map((h) => h.chunkId)).toEqual(['a', 'b']);
    const capped = applyBudget(hits, 4, 250);
    expect(capped.map((h) => h.chunkId)).toEqual(['a', 'b']);
    expect(capped.reduce((n, h) => n + h.text.length, 0)).toBeLessThanOrEqual(250);
    expect(capped[1].text.endsWith('…')).toBe(true);
    // Too little room left for a useful excerpt: the hit is dropped rather than shown as a stub.
    expect(applyBudget(hits, 4, 130).map((h) => h.chunkId)).toEqual(['a']);
  });
});

describe('rankChunks', () => {
  const docs: KbDocument[] = [
    { source: 'bulk.md', title: 'Bulk edit', pages: ['/projects'], sections: [{ headingPath: [], paragraphs: ['Change the owner of many projects in one go.'] }] },
    { source: 'owner.md', title: 'Edit one project', pages: ['/projects/:id/edit'], sections: [{ headingPath: [], paragraphs: ['Change the owner of a project.'] }] },
  ];
  const chunks = docs.flatMap((d) => chunkDocument(d, 1_200));
  const snap = new KbSnapshot(docs, chunks, [], new Date());
  const settings = { pageBoost: 2, contextWeight: 0.3, candidates: 10 };

  it('boosts chunks whose document lists the current page and marks them', async () => {
    const on = await rankChunks(snap, { message: 'change the owner', page: { canonicalUrl: '/projects' } }, settings);
    expect(on.map((h) => [h.source, h.matchedPage])).toEqual([
      ['bulk.md', true],
      ['owner.md', false],
    ]);
    const other = await rankChunks(snap, { message: 'change the owner', page: { canonicalUrl: '/projects/:id/edit' } }, settings);
    expect(other[0].source).toBe('owner.md');
    const boosted = on[0].score;
    const plain = (await rankChunks(snap, { message: 'change the owner', page: { canonicalUrl: '/projects' } }, { ...settings, pageBoost: 0 })).find((h) => h.source === 'bulk.md')!.score;
    expect(boosted).toBeCloseTo(plain * 3, 6);
  });

  it('fuses with vector neighbours when given, ignoring ids the index does not have', async () => {
    const hits = await rankChunks(snap, { message: 'many go' }, settings, async () => [
      { id: 'bulk.md#top', similarity: 0.95 },
      { id: 'gone.md#top', similarity: 0.9 },
      { id: 'owner.md#top', similarity: 0.5 },
    ]);
    expect(hits.map((h) => [h.source, h.lexicalRank, h.vectorRank])).toEqual([
      ['bulk.md', 1, 1],
      ['owner.md', undefined, 2],
    ]);
    expect(hits[0].score).toBeCloseTo(2 / 61, 12);
  });

  it('falls back to lexical ranks when semantic retrieval is unavailable', async () => {
    const hits = await rankChunks(snap, { message: 'many go' }, settings, async () => undefined);
    expect(hits[0]).toMatchObject({ source: 'bulk.md', lexicalRank: 1, vectorRank: undefined });
  });
});

describe('LexicalIndex common terms', () => {
  const docs: KbDocument[] = Array.from({ length: 8 }, (_, i) => ({
    source: `d${i}.md`,
    title: `Doc ${i}`,
    pages: [],
    sections: [{ headingPath: [], paragraphs: [i === 3 ? 'project invoices' : 'project notes'] }],
  }));
  const chunks = docs.flatMap((d) => chunkDocument(d, 1_200));

  it('leaves out words found in most chunks of a large index, unless nothing else is left', () => {
    const index = new LexicalIndex(chunks, { commonTermMinChunks: 5, commonTermShare: 0.5 });
    expect(index.query({ message: 'project invoices', contextWeight: 0, limit: 10 }).map((m) => m.id)).toEqual(['d3.md#top']);
    expect(index.query({ message: 'project', contextWeight: 0, limit: 10 })).toHaveLength(8);
    const small = new LexicalIndex(chunks, { commonTermMinChunks: 100 });
    expect(small.query({ message: 'project invoices', contextWeight: 0, limit: 10 })).toHaveLength(8);
  });
});
