import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { HealthRegistry } from '../src/observability/health.registry';
import { MetricsService } from '../src/observability/metrics.service';
import { KbService } from '../src/kb/kb.service';
import { bootKbApp, MapPageContext } from './support/kb-test-app';
import type { TestApp } from './support/test-app';

const KEY = 'kb-e2e-key';
const auth = { authorization: `Bearer ${KEY}` };
const EXAMPLES = join(__dirname, '..', 'examples', 'kb');

async function copyOfExamples(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-e2e-'));
  await cp(EXAMPLES, dir, { recursive: true });
  return dir;
}

describe('knowledge base over HTTP (lexical default)', () => {
  let dir: string;
  let t: TestApp;
  const pages = new MapPageContext({
    'u-billing': { canonicalUrl: '/billing', title: 'Billing' },
    'u-invite': { canonicalUrl: '/team/invite', title: 'Invite teammate', lastActionLabel: "Clicked 'Invite teammate'" },
  });

  beforeAll(async () => {
    dir = await copyOfExamples();
    await writeFile(join(dir, 'broken.md'), '---\ntitle: [unclosed\n---\nbody\n');
    await writeFile(join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    t = await bootKbApp({ kb: { dir, watch: false }, apiKeys: KEY, extras: { pageContext: { useValue: pages } } });
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the bulk-edit doc on /projects/:id/edit for "how do I change several at once?"', async () => {
    const res = await request(t.server)
      .get('/v1/kb/search')
      .query({ q: 'how do I change several at once?', page: '/projects/:id/edit', pageTitle: 'Edit project' })
      .set(auth)
      .expect(200);
    expect(res.body.pageSource).toBe('query');
    expect(res.body.hits[0]).toMatchObject({ source: 'projects/bulk-edit.md', matchedPage: true, url: 'https://help.acme-projects.example/projects/bulk-edit', lexicalRank: 1 });
    expect(res.body.hits[0].vectorRank).toBeUndefined();
    expect(res.body.hits.length).toBeLessThanOrEqual(4);
    const total = res.body.hits.reduce((n: number, h: { text: string }) => n + h.text.length, 0);
    expect(total).toBeLessThanOrEqual(3_000);
  });

  it('takes the page from the user\'s activity through KB_PAGE_CONTEXT: "how do I cancel?" differs on /billing and /team/invite', async () => {
    const billing = await request(t.server).get('/v1/kb/search').query({ q: 'how do I cancel?', userId: 'u-billing' }).set(auth).expect(200);
    expect(billing.body.pageSource).toBe('activity');
    expect(billing.body.page).toEqual({ canonicalUrl: '/billing', title: 'Billing' });
    expect(billing.body.hits[0].source).toBe('billing/cancel-subscription.md');
    const invite = await request(t.server).get('/v1/kb/search').query({ q: 'how do I cancel?', userId: 'u-invite' }).set(auth).expect(200);
    expect(invite.body.hits[0].source).toBe('team/invite-teammates.md');
    const unknown = await request(t.server).get('/v1/kb/search').query({ q: 'how do I cancel?', userId: 'nobody' }).set(auth).expect(200);
    expect(unknown.body.pageSource).toBe('none');
  });

  it('honours topK and maxChars, clipping the last hit on a word boundary', async () => {
    const two = await request(t.server).get('/v1/kb/search').query({ q: 'invoice plan card billing', topK: 2 }).set(auth).expect(200);
    expect(two.body.hits).toHaveLength(2);
    const res = await request(t.server).get('/v1/kb/search').query({ q: 'invoice plan card billing', topK: 2, maxChars: 100 }).set(auth).expect(200);
    expect(res.body.hits).toHaveLength(1);
    const text: string = res.body.hits[0].text;
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text).toMatch(/\S…$/);
    expect(two.body.hits[0].text.startsWith(text.slice(0, -1))).toBe(true);
  });

  it('refuses requests without the API key (401) on both routes', async () => {
    await request(t.server).get('/v1/kb/search').query({ q: 'x' }).expect(401);
    await request(t.server).post('/v1/kb/reindex').expect(401);
    await request(t.server).get('/v1/kb/search').query({ q: 'x' }).set({ authorization: 'Bearer wrong' }).expect(401);
  });

  it('answers 400 naming the field for a missing, repeated, oversized or malformed parameter', async () => {
    const bad = async (query: Record<string, unknown>, pattern: RegExp) => {
      const res = await request(t.server).get('/v1/kb/search').query(query).set(auth).expect(400);
      expect(res.body.message).toMatch(pattern);
    };
    await bad({}, /^q /);
    await bad({ q: '   ' }, /q should not be empty/);
    await bad({ q: ['a', 'b'] }, /q must be a string/);
    await bad({ q: 'x'.repeat(2_001) }, /q must be shorter than or equal to 2000 characters/);
    await bad({ q: 'ok', page: 'projects' }, /page must be a path starting with \//);
    await bad({ q: 'ok', topK: 'many' }, /topK must be an integer/);
    await bad({ q: 'ok', topK: 0 }, /topK must not be less than 1/);
    await bad({ q: 'ok', userId: 'u'.repeat(201) }, /userId must be shorter than or equal to 200 characters/);
  });

  it('reindexes on POST and reports the skipped files with their reasons', async () => {
    const res = await request(t.server).post('/v1/kb/reindex').set(auth).expect(200);
    expect(res.body).toMatchObject({ documents: 37, embedded: 0, embeddings: 'off' });
    expect(res.body.chunks).toBeGreaterThan(100);
    expect(typeof res.body.durationMs).toBe('number');
    expect(res.body.skipped).toEqual(
      expect.arrayContaining([
        { file: 'broken.md', reason: expect.stringMatching(/^invalid front matter/) },
        { file: 'logo.png', reason: expect.stringMatching(/^unsupported file type/) },
      ]),
    );
  });

  it('documents both routes in the OpenAPI document, with the API-key Bearer scheme', async () => {
    const doc = await request(t.server).get('/docs/openapi.json').expect(200);
    expect(doc.body.paths['/v1/kb/search'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['q', 'page', 'pageTitle', 'lastAction', 'userId', 'topK', 'maxChars']),
    );
    expect(doc.body.paths['/v1/kb/reindex'].post.security).toEqual([{ 'api-key': [] }]);
    expect(doc.body.components.securitySchemes['api-key']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.body.components.schemas.KbHitDto.properties).toHaveProperty('matchedPage');
  });

  it('reports a kb health component and the kb metrics', async () => {
    const health = await t.app.get(HealthRegistry).collect();
    expect(health.kb).toMatchObject({ status: 'up', documents: 37, embeddings: 'none', store: 'none', skipped: 2 });
    await request(t.server).get('/v1/kb/search').query({ q: 'invite' }).set(auth).expect(200);
    const metrics = await t.app.get(MetricsService).render();
    expect(metrics).toMatch(/^kb_documents 37$/m);
    expect(metrics).toMatch(/^kb_chunks \d+$/m);
    expect(metrics).toMatch(/kb_search_duration_seconds_count\{mode="lexical"\} [1-9]/);
    expect(metrics).toMatch(/kb_reindex_total\{outcome="success"\} [1-9]/);
  });
});

describe('knowledge base disabled (no dir)', () => {
  it('mounts no routes and searches return []', async () => {
    const t = await bootKbApp({ kb: {}, apiKeys: KEY });
    try {
      await request(t.server).get('/v1/kb/search').query({ q: 'invite' }).set(auth).expect(404);
      await request(t.server).post('/v1/kb/reindex').set(auth).expect(404);
      const kb = t.app.get(KbService);
      expect(kb.enabled).toBe(false);
      expect(await kb.search({ message: 'invite' })).toEqual([]);
      expect((await kb.status()).enabled).toBe(false);
      expect((await t.app.get(HealthRegistry).collect()).kb).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('refuses to boot when the folder does not exist', async () => {
    await expect(bootKbApp({ kb: { dir: join(tmpdir(), 'kb-no-such-folder-e2e') } })).rejects.toThrow(/does not exist or is not a folder/);
  });
});
