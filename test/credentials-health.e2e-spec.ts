import request from 'supertest';
import type { JobQueue } from '../src/queue/job-queue.port';
import { JOB_QUEUE } from '../src/queue/queue.constants';
import { FakeCrispServer } from './support/fake-crisp.server';
import { FakeOpenAiServer } from './support/fake-openai.server';
import { readJsonFixture } from './support/fixtures';
import { bootTestApp, type TestApp } from './support/test-app';

/**
 * A wrong key is a configuration error nobody sees in a warn log: the component goes
 * down in /healthz naming the variable to fix, /readyz says so, and it recovers by
 * itself once the provider accepts the credential again.
 */
describe('credential failures are visible in health', () => {
  const llm = new FakeOpenAiServer();
  const crisp = new FakeCrispServer();
  let t: TestApp;
  const FIXTURE = readJsonFixture('crisp', 'webhook_message_send.quickstart.json');

  beforeAll(async () => {
    await llm.start();
    await crisp.start();
    t = await bootTestApp({
      env: {
        CHANNELS: 'rest,crisp',
        LLM_PROVIDER: 'openai',
        OPENAI_API_KEY: 'sk-wrong',
        OPENAI_BASE_URL: llm.url,
        LLM_MAX_RETRIES: '0',
        CRISP_WEBSITE_ID: FIXTURE.website_id,
        CRISP_TOKEN_IDENTIFIER: 'ident',
        CRISP_TOKEN_KEY: 'wrong',
        CRISP_WEBHOOK_SECRET: 'hook',
        CRISP_API_URL: crisp.url,
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await llm.stop();
    await crisp.stop();
  });

  const components = async () => (await request(t.server).get('/healthz').expect(200)).body.components;

  it('an LLM key the provider rejects (401) takes the llm component down with OPENAI_API_KEY to fix, then recovers', async () => {
    llm.respondWith(() => ({ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } } }));
    const res = await request(t.server).post('/v1/chat').send({ userId: 'u1', message: 'hello' }).expect(200);
    expect(res.body.reply).toMatch(/can't reach my assistant/);
    expect((await components()).llm).toMatchObject({ status: 'down', credentials: 'rejected', fix: 'OPENAI_API_KEY', provider: 'openai' });
    const ready = await request(t.server).get('/readyz').expect(503);
    expect(JSON.stringify(ready.body)).toContain('OPENAI_API_KEY');

    llm.respondWith(() => ({ text: 'all good now' }));
    await request(t.server).post('/v1/chat').send({ userId: 'u1', message: 'hello again' }).expect(200, /all good now/);
    expect((await components()).llm).toMatchObject({ status: 'up', credentials: 'ok' });
    await request(t.server).get('/readyz').expect(200);
  });

  it('a Crisp token Crisp rejects (401) takes the crisp component down, naming CRISP_TOKEN_IDENTIFIER and CRISP_TOKEN_KEY', async () => {
    llm.respondWith(() => ({ text: 'reply' }));
    crisp.script('message', 401);
    crisp.script('compose', 401, 401);
    crisp.script('meta', 401);
    await request(t.server).post('/crisp/hooks').query({ key: 'hook' }).set('content-type', 'application/json').send(JSON.stringify(FIXTURE)).expect(200);
    await t.app.get<JobQueue>(JOB_QUEUE).drain(5_000);
    expect(crisp.messagesSent()).toHaveLength(0);
    const c = (await components()).crisp;
    expect(c).toMatchObject({ status: 'down', credentials: 'rejected', http_status: 401 });
    expect(c.fix).toContain('CRISP_TOKEN_IDENTIFIER');
    expect(c.fix).toContain('CRISP_TOKEN_KEY');
    await request(t.server).get('/readyz').expect(503);
  });
});
