import { Client } from 'pg';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { HealthRegistry } from '../src/observability/health.registry';
import { MetricsService } from '../src/observability/metrics.service';
import { KbService } from '../src/kb/kb.service';
import type { KbOptions } from '../src/kb/kb.options';
import { FakeOpenAiServer } from './support/fake-openai.server';
import { bootKbApp } from './support/kb-test-app';
import type { TestApp } from './support/test-app';
import { waitFor } from './support/wait';

const KEY = 'kb-hybrid-key';
const auth = { authorization: `Bearer ${KEY}` };
const EXAMPLES = join(__dirname, '..', 'examples', 'kb');
const DATABASE_URL = process.env.KB_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function copyOfExamples(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-hybrid-'));
  await cp(EXAMPLES, dir, { recursive: true });
  return dir;
}


describe('hybrid retrieval with a local OpenAI-compatible embeddings server', () => {
  const fake = new FakeOpenAiServer();
  let dir: string;
  let t: TestApp;
  const options = (): KbOptions => ({ dir, watch: false, embeddings: { provider: 'openai', baseUrl: fake.url, apiKey: 'sk-test', model: 'fake-embed', batchSize: 16 } });

  beforeAll(async () => {
    await fake.start();
    dir = await copyOfExamples();
    t = await bootKbApp({ kb: options(), apiKeys: KEY });
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('embeds every chunk at boot in batches of batchSize, with the configured model and key', async () => {
    const status = await t.app.get(KbService).status();
    const inputs = fake.embeddedInputs();
    expect(inputs).toHaveLength(status.chunks);
    expect(fake.embeddingRequests()).toHaveLength(Math.ceil(status.chunks / 16));
    const first = fake.embeddingRequests()[0];
    expect(first.body).toMatchObject({ model: 'fake-embed', encoding_format: 'float' });
    expect(first.headers.authorization).toBe('Bearer sk-test');
    expect(inputs[0]).toMatch(/^Cancel your subscription\n\n/);
    expect(inputs.some((i) => /^Cancel your subscription › How to cancel\n\n1\. Go to \*\*Billing\*\*/.test(i))).toBe(true);
    expect(status).toMatchObject({ embeddings: { provider: 'openai', model: 'fake-embed', breaker: 'closed' }, store: { driver: 'memory', reachable: true, vectors: status.chunks } });
  });

  it('fuses lexical and vector rankings (RRF, k = 60) over real HTTP', async () => {
    const before = fake.embeddingRequests().length;
    const res = await request(t.server).get('/v1/kb/search').query({ q: 'how do I change several at once?', page: '/projects/:id/edit', pageTitle: 'Edit project' }).set(auth).expect(200);
    expect(fake.embeddingRequests()).toHaveLength(before + 1);
    const top = res.body.hits[0];
    expect(top.source).toBe('projects/bulk-edit.md');
    expect(top.lexicalRank).toBeDefined();
    expect(top.vectorRank).toBeDefined();
    const expected = (top.lexicalRank ? 1 / (60 + top.lexicalRank) : 0) + (top.vectorRank ? 1 / (60 + top.vectorRank) : 0);
    expect(top.score).toBeCloseTo(expected, 10);
    const metrics = await t.app.get(MetricsService).render();
    expect(metrics).toMatch(/kb_search_duration_seconds_count\{mode="hybrid"\} [1-9]/);
    expect(metrics).toMatch(/kb_embedding_requests_total\{outcome="success"\} [1-9]/);
  });

  it('re-embeds only the chunks whose text changed, and drops vectors of removed files', async () => {
    const file = join(dir, 'billing', 'invoices.md');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('Invoices are also emailed to every Admin when a charge is made.', 'Invoices are also emailed to every Admin and billing contact when a charge is made.'));
    await rm(join(dir, 'integrations', 'zapier.html'));
    const seen = fake.embeddedInputs().length;
    const res = await request(t.server).post('/v1/kb/reindex').set(auth).expect(200);
    expect(res.body).toMatchObject({ documents: 36, embedded: 1, embeddings: 'ok' });
    const sent = fake.embeddedInputs().slice(seen);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('billing contact when a charge is made');
    const status = await t.app.get(KbService).status();
    expect(status.store.vectors).toBe(status.chunks);

    const again = await request(t.server).post('/v1/kb/reindex').set(auth).expect(200);
    expect(again.body.embedded).toBe(0);
  });

  it('runs concurrent reindex requests one at a time: the last request wins and all callers get its result', async () => {
    const metrics = t.app.get(MetricsService);
    const runs = async () => Number(/kb_reindex_total\{outcome="success"\} (\d+)/.exec(await metrics.render())?.[1] ?? 0);
    const before = await runs();
    // A slow embeddings call keeps the first run busy while the other requests arrive.
    await writeFile(join(dir, 'billing', 'invoices.md'), (await readFile(join(dir, 'billing', 'invoices.md'), 'utf8')).replace('Every charge', 'Each charge'));
    fake.respondToEmbeddingsWith(() => ({ embed: true, delayMs: 300 }));
    try {
      const first = request(t.server).post('/v1/kb/reindex').set(auth).then((r) => r);
      await waitFor(async () => ((await t.app.get(KbService).status()).indexing ? true : undefined), 8_000);
      await writeFile(join(dir, 'late-arrival.md'), '---\ntitle: Late arrival\n---\nA document written while a reindex was running.\n');
      const rest = await Promise.all([1, 2, 3, 4].map(() => request(t.server).post('/v1/kb/reindex').set(auth).then((r) => r)));
      const firstRes = await first;
      for (const r of [firstRes, ...rest]) expect(r.status).toBe(200);
      // The first run may or may not have listed the folder before the late file appeared; the runs after it must see it.
      expect([36, 37]).toContain(firstRes.body.documents);
      expect(rest.map((r) => r.body.documents)).toEqual([37, 37, 37, 37]);
      expect((await runs()) - before).toBe(2);
    } finally {
      fake.respondToEmbeddingsWith(() => ({ embed: true }));
    }
    const hits = await t.app.get(KbService).search({ message: 'late arrival written while a reindex was running' });
    expect(hits[0].source).toBe('late-arrival.md');
  });
});

describe('embeddings endpoint failing', () => {
  it('keeps answering lexically, opens the breaker, reports kb degraded and counts failures', async () => {
    const fake = await new FakeOpenAiServer().start();
    fake.respondToEmbeddingsWith(() => ({ status: 500 }));
    const dir = await copyOfExamples();
    const t = await bootKbApp({
      kb: { dir, watch: false, embeddings: { provider: 'openai', baseUrl: fake.url, apiKey: 'k', maxRetries: 1, retryBaseMs: 1, breakerThreshold: 2, breakerHalfOpenMs: 60_000 } },
      apiKeys: KEY,
    });
    try {
      const kb = t.app.get(KbService);
      expect((await kb.status()).documents).toBe(37);
      await request(t.server).post('/v1/kb/reindex').set(auth).expect(200, /"embeddings":"failed"/);
      const res = await request(t.server).get('/v1/kb/search').query({ q: 'download an invoice' }).set(auth).expect(200);
      expect(res.body.hits[0].source).toBe('billing/invoices.md');
      expect(res.body.hits[0].vectorRank).toBeUndefined();
      const health = await t.app.get(HealthRegistry).collect();
      expect(health.kb).toMatchObject({ status: 'degraded', breaker: 'open' });
      const metrics = await t.app.get(MetricsService).render();
      expect(metrics).toMatch(/kb_embedding_requests_total\{outcome="server_error"\} [1-9]/);
      expect(metrics).toMatch(/kb_reindex_total\{outcome="partial"\} [1-9]/);
    } finally {
      await t.close();
      await fake.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('pgvector store end to end', () => {
  const fake = new FakeOpenAiServer();
  const schema = `kb_e2e_${process.pid}_${Date.now().toString(36)}`;
  let dir: string;
  const options = (model = 'fake-embed'): KbOptions => ({
    dir,
    watch: false,
    store: 'postgres',
    databaseUrl: DATABASE_URL,
    postgresSchema: schema,
    embeddings: { provider: 'openai', baseUrl: fake.url, apiKey: 'k', model },
  });

  beforeAll(async () => {
    await fake.start();
    dir = await copyOfExamples();
  });
  afterAll(async () => {
    await fake.stop();
    await rm(dir, { recursive: true, force: true });
    const c = new Client({ connectionString: DATABASE_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });

  it('migrates at boot, stores vectors in PostgreSQL, keeps them across restarts and re-embeds all when the model changes', async () => {
    const first = await bootKbApp({ kb: options(), apiKeys: KEY });
    let chunks: number;
    try {
      const status = await first.app.get(KbService).status();
      chunks = status.chunks;
      expect(status.store).toMatchObject({ driver: 'postgres', reachable: true, vectors: chunks });
      expect(fake.embeddedInputs()).toHaveLength(chunks);
      const res = await request(first.server).get('/v1/kb/search').query({ q: 'how do I turn on two-factor authentication?', page: '/settings/security' }).set(auth).expect(200);
      expect(res.body.hits[0]).toMatchObject({ source: 'settings/two-factor-authentication.md', matchedPage: true });
      expect(res.body.hits.some((h: { vectorRank?: number }) => h.vectorRank !== undefined)).toBe(true);
      expect((await first.app.get(HealthRegistry).collect()).kb).toMatchObject({ status: 'up', store: 'postgres', vectors: chunks });
    } finally {
      await first.close();
    }

    const embeddedBefore = fake.embeddedInputs().length;
    const second = await bootKbApp({ kb: options(), apiKeys: KEY });
    try {
      expect(fake.embeddedInputs().length).toBe(embeddedBefore);
      const c = new Client({ connectionString: DATABASE_URL });
      await c.connect();
      const rows = await c.query(`SELECT count(*)::int AS n FROM "${schema}".kb_chunks`);
      const meta = await c.query(`SELECT key, value FROM "${schema}".kb_meta ORDER BY key`);
      await c.end();
      expect(rows.rows[0].n).toBe(chunks);
      expect(Object.fromEntries(meta.rows.map((r) => [r.key, r.value]))).toEqual({ dimension: '64', index: 'hnsw_vector', model: 'fake-embed' });
    } finally {
      await second.close();
    }

    fake.respondToEmbeddingsWith(() => ({ embed: true, dimension: 32 }));
    const third = await bootKbApp({ kb: options('other-model'), apiKeys: KEY });
    try {
      expect(fake.embeddedInputs().length - embeddedBefore).toBe(chunks);
      const hits = await third.app.get(KbService).search({ message: 'download invoice pdf', page: { canonicalUrl: '/billing/invoices' } });
      expect(hits[0].source).toBe('billing/invoices.md');
      expect(hits[0].vectorRank).toBeDefined();
    } finally {
      await third.close();
      fake.respondToEmbeddingsWith(() => ({ embed: true }));
    }
  });

  it('reports kb down when the store is unreachable, while lexical search keeps working', async () => {
    const t = await bootKbApp({ kb: { ...options(), databaseUrl: 'postgres://postgres@127.0.0.1:1/test' }, apiKeys: KEY });
    try {
      const health = await t.app.get(HealthRegistry).collect();
      expect(health.kb).toMatchObject({ status: 'down', store: 'postgres' });
      const res = await request(t.server).get('/v1/kb/search').query({ q: 'export tasks to CSV' }).set(auth).expect(200);
      expect(res.body.hits[0].source).toBe('exports/export-data.md');
    } finally {
      await t.close();
    }
  });
});

describe('watch-triggered reindex', () => {
  it('picks up a new, a changed and a deleted file after the debounce', async () => {
    const dir = await copyOfExamples();
    const t = await bootKbApp({ kb: { dir, watch: true, watchDebounceMs: 100 } });
    const kb = t.app.get(KbService);
    try {
      await writeFile(join(dir, 'team', 'guest-access.md'), '---\ntitle: Guest accounts\npages: [/team]\n---\n\nGuests are outside collaborators with access to a single project.\n');
      const found = await waitFor(async () => (await kb.search({ message: 'guest accounts outside collaborators' }))[0]?.source === 'team/guest-access.md' || undefined, 8_000);
      expect(found).toBe(true);
      await writeFile(join(dir, 'team', 'guest-access.md'), '---\ntitle: Guest accounts\n---\n\nGuests are now called external collaborators.\n');
      await waitFor(async () => ((await kb.search({ message: 'external collaborators' }))[0]?.text.includes('now called') ? true : undefined), 8_000);
      await rm(join(dir, 'team', 'guest-access.md'));
      await waitFor(async () => ((await kb.status()).documents === 37 ? true : undefined), 8_000);
    } finally {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
