import { Client } from 'pg';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { OFFLINE_NOTICE } from '../src/llm/providers/offline.provider';
import { startupReport } from '../src/startup-report';
import { FakeOpenAiServer } from './support/fake-openai.server';
import { copyOfKbExamples } from './support/kb-test-app';
import { bootTestApp, type TestApp } from './support/test-app';

const KEY = 'kb-app-key';
const auth = { authorization: `Bearer ${KEY}` };
const BULK = { title: 'Update several projects at once with Bulk edit', url: 'https://help.acme-projects.example/projects/bulk-edit' };
const DATABASE_URL = process.env.KB_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const pushActions = (t: TestApp, userId: string, actions: Array<Record<string, unknown>>) =>
  request(t.server)
    .post('/v1/activity')
    .set('content-type', 'application/json')
    .send(JSON.stringify({ type: 'actions', product_id: 'acme', session_id: `s_${userId}`, user_id: userId, actions }))
    .expect(202);

const onProjectEdit = (t: TestApp, userId: string) =>
  pushActions(t, userId, [
    { type: 'pageview', title: 'Edit project', canonical_url: '/projects/:id/edit' },
    { type: 'click', title: "Clicked 'Status'", canonical_url: '/projects/:id/edit' },
  ]);

describe('knowledge base in the app: offline answers, search from the real activity, reindex', () => {
  let dir: string;
  let t: TestApp;
  beforeAll(async () => {
    dir = await copyOfKbExamples('kb-app-');
    // The offline provider is the test default: no key, no network.
    t = await bootTestApp({ env: { API_KEYS: KEY, KB_DIR: dir, KB_WATCH: 'false' } });
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('without an LLM key, answers from the best excerpt (its heading and first steps, with the link)', async () => {
    await onProjectEdit(t, 'u_offline');
    const res = await request(t.server).post('/v1/chat').set(auth).send({ userId: 'u_offline', message: 'how do I change several at once?' }).expect(200);
    expect(res.body.reply.startsWith(`From the help center, "${BULK.title}`)).toBe(true);
    expect(res.body.reply).toContain(`More: ${BULK.url}`);
    expect(res.body.reply.endsWith(OFFLINE_NOTICE)).toBe(true);
    expect(res.body.sources[0]).toEqual(BULK);
  });

  it('when no excerpt meets the message (only the page matched), the offline answer still comes from the activity', async () => {
    await onProjectEdit(t, 'u_nomatch');
    const res = await request(t.server).post('/v1/chat').set(auth).send({ userId: 'u_nomatch', message: 'xyzzy plugh' }).expect(200);
    expect(res.body.reply).toContain("You're currently on /projects/:id/edit.");
    expect(res.body.reply).not.toContain('From the help center');
    // The page alone found articles about it: they were in the prompt, so they are the sources.
    expect(res.body.sources.length).toBeGreaterThan(0);

    const none = await request(t.server).post('/v1/chat').set(auth).send({ userId: 'u_never_seen', message: 'xyzzy plugh' }).expect(200);
    expect(none.body.sources).toEqual([]);
    expect(none.body.reply).toMatch(/can't see any recent activity/);
  });

  it('asked about the page itself (page help), the offline answer comes from the page\'s article', async () => {
    await onProjectEdit(t, 'u_pagehelp');
    const res = await request(t.server).get('/reply/u_pagehelp').query({ query: 'Can you help me with the page I am on?', intent: 'page_help' }).set(auth).expect(200);
    expect(res.body.reply).toMatch(/^From the help center, "/);
    expect(res.body.sources.length).toBeGreaterThan(0);
    expect(res.body.reply).toContain(res.body.sources[0].url);
  });

  it('GET /v1/kb/search?userId= ranks for the page the user is on now, from their pushed activity', async () => {
    await onProjectEdit(t, 'u_search');
    const res = await request(t.server).get('/v1/kb/search').query({ q: 'how do I change several at once?', userId: 'u_search' }).set(auth).expect(200);
    expect(res.body.pageSource).toBe('activity');
    expect(res.body.page).toEqual({ canonicalUrl: '/projects/:id/edit', title: 'Edit project', lastActionLabel: "Clicked 'Status'" });
    expect(res.body.hits[0]).toMatchObject({ source: 'projects/bulk-edit.md', matchedPage: true, url: BULK.url });

    // The same question answers differently where the user is: "cancel" on billing vs on the invite form.
    await pushActions(t, 'u_billing', [{ type: 'pageview', title: 'Billing', canonical_url: '/billing' }]);
    await pushActions(t, 'u_invite', [{ type: 'pageview', title: 'Invite teammate', canonical_url: '/team/invite' }]);
    const billing = await request(t.server).get('/v1/kb/search').query({ q: 'how do I cancel?', userId: 'u_billing' }).set(auth).expect(200);
    const invite = await request(t.server).get('/v1/kb/search').query({ q: 'how do I cancel?', userId: 'u_invite' }).set(auth).expect(200);
    expect(billing.body.hits[0].source).toBe('billing/cancel-subscription.md');
    expect(invite.body.hits[0].source).toBe('team/invite-teammates.md');
    const nobody = await request(t.server).get('/v1/kb/search').query({ q: 'how do I cancel?', userId: 'u_never_seen' }).set(auth).expect(200);
    expect(nobody.body.pageSource).toBe('none');
  });

  it('refuses a bad query with a 400 naming the parameter, before searching', async () => {
    const res = await request(t.server).get('/v1/kb/search').query({ q: 'x'.repeat(2_001) }).set(auth).expect(400);
    expect(JSON.stringify(res.body)).toContain('q must be shorter than or equal to 2000 characters');
    await request(t.server).get('/v1/kb/search').query({ q: 'invoice', topK: 'many' }).set(auth).expect(400);
  });

  it('POST /v1/kb/reindex needs the Bearer key, then picks up new files and names the skipped ones', async () => {
    await request(t.server).post('/v1/kb/reindex').expect(401);
    await request(t.server).post('/v1/kb/reindex').set({ authorization: 'Bearer wrong' }).expect(401);
    await request(t.server).get('/v1/kb/search').query({ q: 'invoice' }).expect(401);

    await writeFile(join(dir, 'projects', 'colour-labels.md'), '---\ntitle: Colour labels\npages: [/projects/:id/edit]\n---\nPick a colour label in the Label menu.\n');
    await writeFile(join(dir, 'broken.md'), '---\ntitle: [unclosed\n---\nbody\n');
    const res = await request(t.server).post('/v1/kb/reindex').set(auth).expect(200);
    expect(res.body).toMatchObject({ documents: 38, embeddings: 'off' });
    expect(res.body.skipped).toEqual([expect.objectContaining({ file: 'broken.md' })]);
    const found = await request(t.server).get('/v1/kb/search').query({ q: 'colour label' }).set(auth).expect(200);
    expect(found.body.hits[0].source).toBe('projects/colour-labels.md');
  });

  it('names the knowledge base in the start-up banner', () => {
    const report = startupReport(t.app, 'http://127.0.0.1:1');
    expect(report.banner).toContain(` · kb ${dir} (lexical)`);
    expect(report.details.kb).toEqual({ dir, mode: 'lexical' });
  });

  it('reports the knowledge base in /healthz', async () => {
    const res = await request(t.server).get('/healthz').expect(200);
    expect(res.body.components.kb).toMatchObject({ status: 'up', embeddings: 'none' });
    expect(res.body.components.kb.documents).toBeGreaterThanOrEqual(37);
  });
});

describe('knowledge base in the app: hybrid retrieval with pgvector (KB_STORE=postgres, EMBEDDINGS_PROVIDER=openai)', () => {
  const embeddings = new FakeOpenAiServer();
  const prefix = `kbapp_${process.pid}_${Math.random().toString(36).slice(2, 8)}_`;
  let dir: string;
  let t: TestApp;
  beforeAll(async () => {
    await embeddings.start();
    dir = await copyOfKbExamples('kb-app-pg-');
    t = await bootTestApp({
      env: {
        API_KEYS: KEY, KB_DIR: dir, KB_WATCH: 'false', KB_STORE: 'postgres', DATABASE_URL, KB_PG_TABLE_PREFIX: prefix,
        EMBEDDINGS_PROVIDER: 'openai', EMBEDDINGS_BASE_URL: embeddings.url, EMBEDDINGS_API_KEY: 'sk-embed', EMBEDDINGS_MODEL: 'fake-embed',
        EMBEDDINGS_BATCH_SIZE: '32', EMBEDDINGS_MAX_RETRIES: '0', EMBEDDINGS_BREAKER_THRESHOLD: '100',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await embeddings.stop();
    await rm(dir, { recursive: true, force: true });
    const pg = new Client({ connectionString: DATABASE_URL });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ tablename: string }>("select tablename from pg_tables where schemaname = 'public' and tablename like $1", [`${prefix}%`]);
      for (const r of rows) await pg.query(`drop table if exists public."${r.tablename}" cascade`);
    } finally {
      await pg.end();
    }
  });

  it('embeds the folder at boot into PostgreSQL with the configured model, batch size and key', async () => {
    const requests = embeddings.embeddingRequests();
    expect(requests.length).toBeGreaterThan(1);
    expect(requests[0].body).toMatchObject({ model: 'fake-embed' });
    expect(requests[0].body.input.length).toBeLessThanOrEqual(32);
    expect(requests[0].headers.authorization).toBe('Bearer sk-embed');
    const health = await request(t.server).get('/healthz').expect(200);
    expect(health.body.components.kb).toMatchObject({ status: 'up', embeddings: 'openai', store: 'postgres' });
    expect(health.body.components.kb.vectors).toBe(health.body.components.kb.chunks);
    expect(startupReport(t.app, 'http://127.0.0.1:1').banner).toContain(`kb ${dir} (hybrid, vectors in postgres)`);
  });

  it('a reply is grounded in the fused ranking, and still in the lexical one when the embeddings endpoint fails', async () => {
    await onProjectEdit(t, 'u_hybrid');
    const search = await request(t.server).get('/v1/kb/search').query({ q: 'how do I change several at once?', userId: 'u_hybrid' }).set(auth).expect(200);
    expect(search.body.hits[0]).toMatchObject({ source: 'projects/bulk-edit.md', lexicalRank: expect.any(Number), vectorRank: expect.any(Number) });
    const chat = await request(t.server).post('/v1/chat').set(auth).send({ userId: 'u_hybrid', message: 'how do I change several at once?' }).expect(200);
    expect(chat.body.sources[0]).toEqual(BULK);

    embeddings.respondToEmbeddingsWith(() => ({ status: 500 }));
    try {
      const degraded = await request(t.server).get('/v1/kb/search').query({ q: 'how do I change several at once?', userId: 'u_hybrid' }).set(auth).expect(200);
      expect(degraded.body.hits[0].source).toBe('projects/bulk-edit.md');
      expect(degraded.body.hits[0].vectorRank).toBeUndefined();
      const again = await request(t.server).post('/v1/chat').set(auth).send({ userId: 'u_hybrid', message: 'how do I change several at once?' }).expect(200);
      expect(again.body.sources[0]).toEqual(BULK);
      expect(again.body.reply.startsWith(`From the help center, "${BULK.title}`)).toBe(true);
    } finally {
      embeddings.respondToEmbeddingsWith(() => ({ embed: true }));
    }
  });
});
