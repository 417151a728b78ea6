/**
 * Knowledge-base benchmark (issue 16).
 * Run: node -r ts-node/register/transpile-only bench/kb.ts   (needs PostgreSQL with pgvector; KB_BENCH_DATABASE_URL to override)
 *
 * 1. Index time for 10,000 chunks: files on disk → parse → chunk → BM25 index (and the index build alone).
 * 2. Lexical query latency among those 10,000 chunks: the full ranking path (page boost, context words) for the
 *    83 questions of test/fixtures/kb-questions.json, cycled; reference: a brute-force linear scan in JS.
 * 3. pgvector top-k latency among 10,000 vectors of 1,536 dimensions through PostgresKbStore (HNSW, cosine);
 *    references: exact `ORDER BY embedding <=> $1` without the index, and a brute-force scan in JS (memory store).
 */
import { Logger } from '@nestjs/common';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { chunkDocument } from '../src/kb/ingest/chunker';
import { loadCorpus } from '../src/kb/ingest/corpus-loader';
import { KB_DEFAULTS } from '../src/kb/kb.options';
import { rankChunks } from '../src/kb/retrieval/kb-retriever';
import { KbSnapshot } from '../src/kb/retrieval/kb-snapshot';
import { LexicalIndex } from '../src/kb/retrieval/lexical-index';
import { searchText } from '../src/kb/retrieval/query-text';
import { terms } from '../src/kb/retrieval/tokenizer';
import { MemoryKbStore } from '../src/kb/store/memory.kb-store';
import { PostgresKbStore } from '../src/kb/store/postgres.kb-store';
import questions from '../test/fixtures/kb-questions.json';

Logger.overrideLogger(false);

const CHUNKS = 10_000;
const SECTIONS_PER_DOC = 5;
const QUERIES = 5_000;
const WARMUP = 500;
const DIM = 1_536;
const VECTOR_QUERIES = 500;
const DATABASE_URL = process.env.KB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Seeded PRNG so every run indexes the same corpus. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 4_294_967_296);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const fmt = (x: number) => `${x.toFixed(3)} ms`;

function summary(samples: number[]): { p50: number; p99: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: pct(s, 50), p99: pct(s, 99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

/**
 * Help-center-like text. `zipf`: words follow a Zipf distribution over the example
 * help center's words mixed at random ranks with 20,000 made-up product terms, so a
 * few words are everywhere and most are rare, as in real documentation. `dense`
 * (stress case): every word comes from the ~1,500 example words, so nearly every
 * query term occurs in thousands of chunks.
 */
export async function writeCorpus(dir: string, vocabulary: string[], rand: () => number, kind: 'zipf' | 'dense' = 'zipf'): Promise<void> {
  const syllables = ['ka', 'lo', 'mi', 'tre', 'sa', 'vu', 'ne', 'po', 'ri', 'zan', 'quo', 'del', 'fi', 'gra', 'hu', 'jo', 'bel', 'cor', 'dis', 'en'];
  const made = Array.from({ length: 20_000 }, () => Array.from({ length: 2 + Math.floor(rand() * 3) }, () => syllables[Math.floor(rand() * syllables.length)]).join(''));
  const ranked = [...vocabulary, ...made];
  for (let i = ranked.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [ranked[i], ranked[j]] = [ranked[j], ranked[i]];
  }
  // Zipf (s = 1): cumulative weights 1/rank, sampled by binary search.
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 1; r <= ranked.length; r++) cumulative.push((total += 1 / r));
  const word = () => {
    if (kind === 'dense') return vocabulary[Math.floor(rand() * rand() * vocabulary.length)];
    const x = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return ranked[lo];
  };
  const sentence = () => {
    const n = 6 + Math.floor(rand() * 12);
    const w = Array.from({ length: n }, word).join(' ');
    return `${w.charAt(0).toUpperCase()}${w.slice(1)}.`;
  };
  const paragraph = () => Array.from({ length: 2 + Math.floor(rand() * 3) }, sentence).join(' ');
  const pages = ['/projects', '/projects/:id', '/projects/:id/edit', '/team', '/billing', '/billing/invoices', '/settings/security', '/reports', '/exports', '/integrations'];
  const docs = CHUNKS / SECTIONS_PER_DOC;
  for (let d = 0; d < docs; d++) {
    const folder = join(dir, `area-${d % 20}`);
    if (d < 20) await mkdir(folder, { recursive: true });
    const body = Array.from({ length: SECTIONS_PER_DOC }, (_, s) => `## ${sentence().slice(0, 40)} ${s}\n\n${paragraph()}\n\n${paragraph()}`).join('\n\n');
    const front = `---\ntitle: ${sentence().slice(0, 50)} ${d}\nurl: https://help.example/${d}\npages: [${pages[d % pages.length]}]\n---\n\n`;
    await writeFile(join(folder, `doc-${d}.md`), front + body);
  }
}

/** The reference for lexical search: every chunk scanned for every query, scoring summed idf of the query terms it contains. */
function linearScan(chunkTerms: Set<string>[], idf: Map<string, number>, query: string[], k: number): number[] {
  const scores = new Float64Array(chunkTerms.length);
  for (let i = 0; i < chunkTerms.length; i++) {
    let s = 0;
    for (const t of query) if (chunkTerms[i].has(t)) s += idf.get(t) ?? 0;
    scores[i] = s;
  }
  const top: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] <= 0) continue;
    top.push(i);
    if (top.length > k * 4) top.sort((a, b) => scores[b] - scores[a]).length = k;
  }
  return top.sort((a, b) => scores[b] - scores[a]).slice(0, k);
}

/** Vectors in 200 clusters with noise, unit length: closer to real embeddings than uniform noise. */
function clusteredVectors(n: number, dim: number, rand: () => number): number[][] {
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centroids = Array.from({ length: 200 }, () => Array.from({ length: dim }, gauss));
  return Array.from({ length: n }, () => {
    const c = centroids[Math.floor(rand() * centroids.length)];
    const v = c.map((x) => x + gauss() * 0.6);
    const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    return v.map((x) => Number((x / norm).toFixed(6)));
  });
}

/** Words of the example help center, in order of first appearance. */
export async function exampleVocabulary(): Promise<string[]> {
  const examples = await loadCorpus(join(__dirname, '..', 'examples', 'kb'), { maxFileBytes: 1 << 20, maxFiles: 1_000 });
  return [...new Set(examples.documents.flatMap((d) => d.sections.flatMap((s) => s.paragraphs.join(' ').toLowerCase().match(/[a-z]{3,}/g) ?? [])))];
}

async function lexical(kind: 'zipf' | 'dense'): Promise<void> {
  const vocabulary = await exampleVocabulary();
  const dir = await mkdtemp(join(tmpdir(), 'kb-bench-'));
  try {
    await writeCorpus(dir, vocabulary, rng(42), kind);
    // Index time: files → documents → chunks → BM25 index, as a reindex does it (vectors excluded).
    const t0 = process.hrtime.bigint();
    const corpus = await loadCorpus(dir, { maxFileBytes: KB_DEFAULTS.maxFileBytes, maxFiles: 100_000 });
    const tLoaded = ms(t0);
    const chunks = corpus.documents.flatMap((d) => chunkDocument(d, KB_DEFAULTS.maxChunkChars));
    const tChunked = ms(t0);
    const snapshot = new KbSnapshot(corpus.documents, chunks, corpus.skipped, new Date());
    const tIndexed = ms(t0);
    const t1 = process.hrtime.bigint();
    new LexicalIndex(chunks);
    const indexOnly = ms(t1);
    const chars = chunks.reduce((n, c) => n + c.text.length, 0);
    const distinct = new Set(chunks.flatMap((c) => terms(c.text))).size;
    console.log(`\n[${kind} corpus] 1. Index ${chunks.length} chunks from ${corpus.documents.length} Markdown files (${(chars / 1e6).toFixed(1)} M characters, ${distinct} distinct terms)`);
    console.log(`   read + parse ${tLoaded.toFixed(0)} ms, chunk ${(tChunked - tLoaded).toFixed(0)} ms, BM25 index ${(tIndexed - tChunked).toFixed(0)} ms: total ${tIndexed.toFixed(0)} ms`);
    console.log(`   BM25 index build alone, again: ${indexOnly.toFixed(0)} ms; heap after: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);

    const qs = questions as { question: string; page: { canonicalUrl: string; title: string }; lastActionLabel?: string }[];
    const settings = { pageBoost: KB_DEFAULTS.pageBoost, contextWeight: KB_DEFAULTS.contextWeight, candidates: KB_DEFAULTS.candidates };
    const samples: number[] = [];
    let found = 0;
    for (let i = 0; i < WARMUP + QUERIES; i++) {
      const q = qs[i % qs.length];
      const t = process.hrtime.bigint();
      const hits = await rankChunks(snapshot, { message: q.question, page: q.page, lastActionLabel: q.lastActionLabel }, settings);
      if (i >= WARMUP) samples.push(ms(t));
      found += hits.length > 0 ? 1 : 0;
    }
    const lex = summary(samples);

    // Reference: a linear scan over precomputed term sets of every chunk (no index at all).
    const chunkTerms = chunks.map((c) => new Set(terms(`${c.docTitle} ${c.headingPath.join(' ')} ${c.text}`)));
    const df = new Map<string, number>();
    for (const set of chunkTerms) for (const t of set) df.set(t, (df.get(t) ?? 0) + 1);
    const idf = new Map([...df].map(([t, n]) => [t, Math.log(1 + (chunkTerms.length - n + 0.5) / (n + 0.5))]));
    const ref: number[] = [];
    for (let i = 0; i < WARMUP / 5 + QUERIES / 5; i++) {
      const q = qs[i % qs.length];
      const st = searchText({ message: q.question, page: q.page, lastActionLabel: q.lastActionLabel });
      const t = process.hrtime.bigint();
      linearScan(chunkTerms, idf, terms(`${st.message} ${st.context}`), settings.candidates);
      if (i >= WARMUP / 5) ref.push(ms(t));
    }
    const scan = summary(ref);
    console.log(`[${kind} corpus] 2. Lexical query among ${chunks.length} chunks (full ranking path: message + page context words + page boost, ${settings.candidates} candidates), ${QUERIES} queries after ${WARMUP} warm-up`);
    console.log(`   BM25 index (MiniSearch):   p50 ${fmt(lex.p50)}  p99 ${fmt(lex.p99)}  mean ${fmt(lex.mean)}   (target p99 < 5 ms)`);
    console.log(`   reference linear JS scan:  p50 ${fmt(scan.p50)}  p99 ${fmt(scan.p99)}  mean ${fmt(scan.mean)}   (${ref.length} queries)`);
    console.log(`   queries with at least one hit: ${((found / (WARMUP + QUERIES)) * 100).toFixed(1)} %`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function vectors(): Promise<void> {
  const rand = rng(7);
  const data = clusteredVectors(CHUNKS, DIM, rand);
  const queries = Array.from({ length: VECTOR_QUERIES }, (_, i) => {
    const base = data[(i * 7_919) % data.length];
    return base.map((x) => x + (rand() - 0.5) * 0.02);
  });
  const schema = `kb_bench_${process.pid}`;
  const store = new PostgresKbStore({ url: DATABASE_URL, schema, tablePrefix: 'kb_' });
  const admin = new Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await store.init();
    let t = process.hrtime.bigint();
    await store.reset({ model: 'bench', dimension: DIM });
    for (let i = 0; i < data.length; i += 500) {
      await store.upsert(data.slice(i, i + 500).map((embedding, j) => ({ id: `c${i + j}`, contentHash: 'h', source: `doc-${Math.floor((i + j) / 5)}.md`, embedding })));
    }
    const insertMs = ms(t);
    await admin.query(`ANALYZE "${schema}".kb_chunks`);
    const version = (await admin.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'")).rows[0].extversion;
    const pgVersion = (await admin.query('SHOW server_version')).rows[0].server_version;

    const run = async (k: number, exact: boolean) => {
      const samples: number[] = [];
      const results: string[][] = [];
      const n = exact ? 100 : VECTOR_QUERIES;
      for (let i = 0; i < n + 20; i++) {
        const q = queries[i % queries.length];
        t = process.hrtime.bigint();
        const hits = exact ? await store.nearestExact(q, k) : await store.nearest(q, k);
        if (i >= 20) {
          samples.push(ms(t));
          results.push(hits.map((h) => h.id));
        }
      }
      return { ...summary(samples), results };
    };

    const memory = new MemoryKbStore();
    await memory.reset({ model: 'bench', dimension: DIM });
    await memory.upsert(data.map((embedding, i) => ({ id: `c${i}`, contentHash: 'h', source: 's', embedding })));

    console.log(`\n3. Vector top-k among ${CHUNKS} vectors of ${DIM} dimensions (PostgreSQL ${pgVersion}, pgvector ${version}); insert through PostgresKbStore.upsert: ${(insertMs / 1000).toFixed(1)} s incl. HNSW index maintenance`);
    for (const k of [10, 50]) {
      const hnsw = await run(k, false);
      const exact = await run(k, true);
      let overlap = 0;
      for (let i = 0; i < exact.results.length; i++) overlap += hnsw.results[i].filter((id) => exact.results[i].includes(id)).length;
      const recall = overlap / (exact.results.length * k);
      const js: number[] = [];
      for (let i = 0; i < 120; i++) {
        t = process.hrtime.bigint();
        await memory.nearest(queries[i % queries.length], k);
        if (i >= 20) js.push(ms(t));
      }
      const scan = summary(js);
      console.log(`   k=${k}: pgvector HNSW      p50 ${fmt(hnsw.p50)}  p99 ${fmt(hnsw.p99)}  (target p99 < 20 ms; recall@${k} vs exact ${recall.toFixed(3)})`);
      console.log(`   k=${k}: exact, no index    p50 ${fmt(exact.p50)}  p99 ${fmt(exact.p99)}  (ORDER BY embedding <=> $1, sequential scan, 100 queries)`);
      console.log(`   k=${k}: JS linear scan     p50 ${fmt(scan.p50)}  p99 ${fmt(scan.p99)}  (MemoryKbStore, 100 queries)`);
    }
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  console.log(`Knowledge-base benchmark — Node ${process.version}, ${new Date().toISOString()}`);
  await lexical('zipf');
  await lexical('dense');
  await vectors();
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
