import { readFixture, readJsonFixture } from './support/fixtures';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { hmacSha256Hex } from '../src/common/secrets';
import { DELIVERY_POLICY, type DeliveryPolicy } from '../src/channels/delivery-policy';
import { ReplyPipeline } from '../src/channels/reply-pipeline.service';
import { FALLBACK_REPLY } from '../src/copilot/copilot.prompt';
import { MetricsService } from '../src/observability/metrics.service';
import type { JobQueue } from '../src/queue/job-queue.port';
import { JOB_QUEUE } from '../src/queue/queue.constants';
import { FakeCrispServer } from './support/fake-crisp.server';
import { FakeOpenAiServer } from './support/fake-openai.server';
import { bootTestApp, type TestApp } from './support/test-app';

const FIXTURE = readJsonFixture('crisp', 'webhook_message_send.quickstart.json');
const WEBSITE = FIXTURE.website_id as string;
const SESSION = FIXTURE.data.session_id as string;
const HOOK_KEY = 'hook-secret-3f9a';
const SIGNING = 'plugin-signing-secret';

/** Retries in milliseconds instead of seconds; same attempts as production. */
const FAST_POLICY: DeliveryPolicy = { attempts: 5, backoffMs: 5, maxBackoffMs: 20, retryWindowMs: 60_000 };

const crispEnv = (crispUrl: string, openAiUrl: string, extra: Record<string, string> = {}) => ({
  CHANNELS: 'rest,crisp',
  CRISP_WEBSITE_ID: WEBSITE,
  CRISP_TOKEN_IDENTIFIER: 'ident-123',
  CRISP_TOKEN_KEY: 'key-456',
  CRISP_WEBHOOK_SECRET: HOOK_KEY,
  CRISP_API_URL: crispUrl,
  CRISP_BOT_NAME: 'Acme Copilot',
  LLM_PROVIDER: 'openai',
  OPENAI_BASE_URL: openAiUrl,
  OPENAI_API_KEY: 'test',
  LLM_MAX_RETRIES: '0',
  SHUTDOWN_TIMEOUT_MS: '2000',
  ...extra,
});

const boot = (crispUrl: string, openAiUrl: string, extra?: Record<string, string>) =>
  bootTestApp({ env: crispEnv(crispUrl, openAiUrl, extra), override: (b) => b.overrideProvider(DELIVERY_POLICY).useValue(FAST_POLICY) });

/** A visitor text message hook, the fixture with another session/fingerprint/content. */
const visitorMessage = (over: { session?: string; fingerprint?: number; content?: string; from?: string; type?: string; event?: string } = {}) => ({
  ...FIXTURE,
  event: over.event ?? 'message:send',
  data: {
    ...FIXTURE.data,
    session_id: over.session ?? SESSION,
    fingerprint: over.fingerprint ?? FIXTURE.data.fingerprint,
    content: over.content ?? FIXTURE.data.content,
    from: over.from ?? 'user',
    type: over.type ?? 'text',
  },
});

const lastUser = (body: any): string => body.messages.filter((m: any) => m.role === 'user').at(-1).content;

describe('Crisp channel: POST /crisp/hooks → operator reply', () => {
  const crisp = new FakeCrispServer();
  const llm = new FakeOpenAiServer();
  let t: TestApp;
  let queue: JobQueue;

  const hook = (body: unknown, key: string | null = HOOK_KEY) =>
    request(t.server)
      .post('/crisp/hooks')
      .query(key === null ? {} : { key })
      .set('content-type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  const settle = () => queue.drain(5_000);
  const pushActions = (body: Record<string, unknown>) =>
    request(t.server).post('/v1/activity').set('content-type', 'application/json').send(JSON.stringify({ type: 'actions', product_id: 'acme', ...body })).expect(202);

  beforeAll(async () => {
    await crisp.start();
    await llm.start();
    t = await boot(crisp.url, llm.url);
    queue = t.app.get<JobQueue>(JOB_QUEUE);
  });
  afterAll(async () => {
    await t.close();
    await crisp.stop();
    await llm.stop();
  });
  beforeEach(() => {
    crisp.reset();
    llm.requests.length = 0;
    llm.respondWith((_r, i) => ({ text: `fake reply #${i + 1}` }));
  });

  it('acknowledges at once, then types, answers with the user\'s activity in the prompt, and stops typing', async () => {
    await pushActions({
      session_id: 'app_s1', user_id: 'u_jane', email: 'jane@acme.io',
      actions: [{ type: 'pageview', title: 'Viewed Billing', canonical_url: '/billing' }, { type: 'click', title: "Clicked 'Change plan'", canonical_url: '/billing' }],
    });
    crisp.setMeta(SESSION, { nickname: 'visitor493603', email: '', data: { user_id: 'u_jane' } });
    // A slow model: the hook must be acknowledged before the reply exists.
    llm.respondWith(() => ({ text: 'Open Billing, then click Change plan.', delayMs: 300 }));

    const res = await hook(FIXTURE).expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(crisp.messagesSent()).toHaveLength(0);

    await settle();
    const sent = crisp.messagesSent(SESSION);
    expect(sent).toHaveLength(1);
    expect(sent[0].method).toBe('POST');
    expect(sent[0].websiteId).toBe(WEBSITE);
    expect(sent[0].body).toEqual({ type: 'text', from: 'operator', origin: 'chat', content: 'Open Billing, then click Change plan.', user: { nickname: 'Acme Copilot' } });
    expect(sent[0].auth).toEqual({ identifier: 'ident-123', key: 'key-456' });
    expect(sent[0].tier).toBe('plugin');

    const order = crisp.requests.map((r) => (r.route === 'compose' ? `compose:${r.body.type}` : r.route));
    expect(order).toEqual(['compose:start', 'meta', 'message', 'compose:stop']);
    expect(crisp.byRoute('compose').map((r) => r.method)).toEqual(['PATCH', 'PATCH']);

    const prompt = lastUser(llm.chatRequests()[0].body);
    expect(prompt).toContain('Viewed Billing');
    expect(prompt).toContain("Clicked 'Change plan'");
    expect(prompt).toContain('Hey :)');
  });

  it('a hook delivered three times produces one reply', async () => {
    const body = visitorMessage({ session: 'session_dup', fingerprint: 777 });
    for (let i = 0; i < 3; i++) await hook(body).expect(200, { status: 'ok' });
    await settle();
    await hook(body).expect(200);
    await settle();
    expect(crisp.messagesSent('session_dup')).toHaveLength(1);
    expect(llm.chatRequests()).toHaveLength(1);
    // Refused by the dedupe claim (shared across replicas with a shared store), not only by the local queue.
    const metrics = await t.app.get(MetricsService).render();
    expect(metrics).toContain('crisp_hooks_total{event="message:send",outcome="duplicate"} 3');
  });

  it('a new message in the same session (new fingerprint) gets its own reply, with the history', async () => {
    await hook(visitorMessage({ session: 'session_two', fingerprint: 1, content: 'first' })).expect(200);
    await settle();
    await hook(visitorMessage({ session: 'session_two', fingerprint: 2, content: 'second' })).expect(200);
    await settle();
    expect(crisp.messagesSent('session_two').map((r) => r.body.content)).toEqual(['fake reply #1', 'fake reply #2']);
    expect(llm.chatRequests()[1].body.messages.slice(1, 3).map((m: any) => m.content)).toEqual(['first', 'fake reply #1']);
  });

  it('ignores our own message:received echo, operator messages and non-text messages (loop guard)', async () => {
    const echo = visitorMessage({ event: 'message:received', from: 'operator', session: 'session_echo', fingerprint: 11, content: 'fake reply #1' });
    await hook(echo).expect(200, { status: 'ok' });
    await hook(visitorMessage({ from: 'operator', session: 'session_echo', fingerprint: 12 })).expect(200);
    await hook(visitorMessage({ type: 'file', session: 'session_echo', fingerprint: 13 })).expect(200);
    await hook({ website_id: WEBSITE, event: 'message:compose:send', data: { session_id: 'session_echo', type: 'start' } }).expect(200);
    await settle();
    expect(crisp.requests).toHaveLength(0);
    expect(llm.requests).toHaveLength(0);
  });

  it('ignores hooks for another website', async () => {
    const other = { ...visitorMessage({ session: 'session_other', fingerprint: 5 }), website_id: 'another-website' };
    other.data = { ...other.data, website_id: 'another-website' };
    await hook(other).expect(200);
    await settle();
    expect(crisp.requests).toHaveLength(0);
  });

  it('refuses a wrong or missing key with 401 and does nothing', async () => {
    const body = visitorMessage({ session: 'session_401', fingerprint: 99 });
    const wrong = await hook(body, 'not-the-key').expect(401);
    expect(wrong.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Unauthorized' });
    await hook(body, null).expect(401);
    await hook(body, HOOK_KEY.slice(0, -1)).expect(401);
    await settle();
    expect(crisp.requests).toHaveLength(0);
    // Nothing was claimed: the authentic delivery is still answered.
    await hook(body).expect(200);
    await settle();
    expect(crisp.messagesSent('session_401')).toHaveLength(1);
  });

  it('answers 400 naming the problem for invalid JSON or an envelope without event/data', async () => {
    const bad = await hook('{"event": "message:send", ').expect(400);
    expect(bad.body.message).toMatch(/Invalid JSON/);
    expect((await hook({ data: {} }).expect(400)).body.message).toMatch(/^event: is required/);
    expect((await hook({ event: 'message:send' }).expect(400)).body.message).toMatch(/^data: is required/);
    expect((await hook({ event: 'message:send', data: 'x' }).expect(400)).body.message).toMatch(/^data: must be an object/);
    expect((await hook('[1,2]').expect(400)).body.message).toMatch(/JSON object/);
    await settle();
    expect(crisp.requests).toHaveLength(0);
  });

  it('retries 429 twice, then sends exactly one message', async () => {
    crisp.script('message', 429, 429, 200);
    await hook(visitorMessage({ session: 'session_429', fingerprint: 4290 })).expect(200);
    await settle();
    expect(crisp.byRoute('message').map((r) => r.status)).toEqual([429, 429, 200]);
    expect(crisp.messagesSent('session_429')).toHaveLength(1);
    // The answer was produced once; only the send was retried.
    expect(llm.chatRequests()).toHaveLength(1);
    expect(crisp.byRoute('compose').map((r) => r.body.type)).toEqual(['start', 'stop']);
  });

  it('retries 420, 5xx and dropped connections; gives up after 5 attempts', async () => {
    crisp.script('message', 420, 503, { drop: true }, 200);
    await hook(visitorMessage({ session: 'session_mixed', fingerprint: 1 })).expect(200);
    await settle();
    expect(crisp.byRoute('message').map((r) => r.status)).toEqual([420, 503, 0, 200]);

    crisp.reset();
    crisp.script('message', 500, 500, 500, 500, 500, 500);
    await hook(visitorMessage({ session: 'session_down', fingerprint: 1 })).expect(200);
    await settle();
    expect(crisp.byRoute('message')).toHaveLength(5);
    expect(crisp.messagesSent()).toHaveLength(0);
    const metrics = await t.app.get(MetricsService).render();
    expect(metrics).toMatch(/channel_messages_total\{channel="crisp",kind="reply",outcome="failed"\} [1-9]/);
  });

  it('keeps a message that failed every retry as a dead letter: visible in /healthz and the admin API, and retried on request', async () => {
    // Earlier tests left their own dead letters (403, the 5-attempt outage): start from a clean list.
    await request(t.server).post('/v1/admin/dead-letters/retry').expect(202);
    await settle();
    await request(t.server).post('/v1/admin/dead-letters/retry').expect(202);
    await settle();
    crisp.reset();
    crisp.script('message', 500, 500, 500, 500, 500);
    const before = (await request(t.server).get('/v1/admin/dead-letters').expect(200)).body.count;
    await hook(visitorMessage({ session: 'session_dead', fingerprint: 9 })).expect(200);
    await settle();
    expect(crisp.messagesSent('session_dead')).toHaveLength(0);
    const h = (await request(t.server).get('/healthz').expect(200)).body;
    expect(h.components.dead_letters).toMatchObject({ status: 'degraded', count: before + 1 });
    const list = (await request(t.server).get('/v1/admin/dead-letters').expect(200)).body;
    expect(list.count).toBe(before + 1);
    expect(list.items[0]).toMatchObject({ id: 'crisp:session_dead:9', name: 'channel.reply', labels: { channel: 'crisp', conversationId: 'session_dead' } });
    expect(list.items[0].reason).toMatch(/HTTP 500/);
    expect(list.items[0]).not.toHaveProperty('payload');
    expect((await t.app.get(MetricsService).render())).toMatch(new RegExp(`^dead_letters ${before + 1}$`, 'm'));

    // Crisp is back: the retry sends the answer that was already written, without asking the model again.
    const llmCalls = llm.chatRequests().length;
    await request(t.server).post('/v1/admin/dead-letters/crisp:session_dead:9/retry').expect(202);
    await settle();
    expect(crisp.messagesSent('session_dead')).toHaveLength(1);
    expect(llm.chatRequests()).toHaveLength(llmCalls);
    expect((await request(t.server).get('/v1/admin/dead-letters').expect(200)).body.count).toBe(before);
    await request(t.server).post('/v1/admin/dead-letters/nope/retry').expect(404);
  });

  it('honours Retry-After from Crisp before the next try', async () => {
    crisp.script('message', { status: 429, headers: { 'retry-after': '1' } }, 200);
    await hook(visitorMessage({ session: 'session_retry_after', fingerprint: 1 })).expect(200);
    await settle();
    const [first, second] = crisp.byRoute('message');
    expect(second.status).toBe(200);
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
  });

  it('does not retry other 4xx answers', async () => {
    crisp.script('message', 403, 200);
    await hook(visitorMessage({ session: 'session_403', fingerprint: 1 })).expect(200);
    await settle();
    expect(crisp.byRoute('message').map((r) => r.status)).toEqual([403]);
    expect(crisp.byRoute('compose').map((r) => r.body.type)).toEqual(['start', 'stop']);
  });

  it('sends the fallback text when the LLM is down', async () => {
    llm.respondWith(() => ({ status: 500, body: { error: { message: 'boom' } } }));
    await hook(visitorMessage({ session: 'session_llm_down', fingerprint: 1 })).expect(200);
    await settle();
    expect(crisp.messagesSent('session_llm_down').map((r) => r.body.content)).toEqual([FALLBACK_REPLY]);
  });

  it('still replies when the typing indicator and the meta lookup fail', async () => {
    crisp.script('compose', 500, 500);
    crisp.script('meta', 500);
    await hook(visitorMessage({ session: 'session_flaky_side', fingerprint: 1 })).expect(200);
    await settle();
    expect(crisp.messagesSent('session_flaky_side')).toHaveLength(1);
  });

  describe('who is the user', () => {
    beforeEach(async () => {
      await pushActions({ session_id: 'app_s2', user_id: 'u_omar', email: 'Omar@Example.com', actions: [{ type: 'click', title: 'Opened Team settings', canonical_url: '/team' }] });
      await pushActions({ session_id: 'app_s3', user_id: 'u_lena', email: 'lena@example.com', actions: [{ type: 'click', title: 'Exported invoices', canonical_url: '/invoices' }] });
    });

    it('uses user_id from a session:set_data hook (no meta lookup needed)', async () => {
      await hook({ website_id: WEBSITE, event: 'session:set_data', data: { website_id: WEBSITE, session_id: 'session_data', data: { user_id: 'u_omar', plan: 'pro' } } }).expect(200);
      await hook(visitorMessage({ session: 'session_data', fingerprint: 1, content: 'how do I invite someone?' })).expect(200);
      await settle();
      const prompt = lastUser(llm.chatRequests()[0].body);
      expect(prompt).toContain('Opened Team settings');
      expect(prompt).not.toContain('Exported invoices');
      expect(crisp.byRoute('meta')).toHaveLength(0);
    });

    it('matches the email from a session:set_email hook to the activity user once Crisp verified it (session:update_verify)', async () => {
      await hook({ website_id: WEBSITE, event: 'session:set_email', data: { session_id: 'session_mail', email: 'omar@example.com' } }).expect(200);
      await hook({ website_id: WEBSITE, event: 'session:update_verify', data: { website_id: WEBSITE, session_id: 'session_mail', is_verified: true } }).expect(200);
      await hook(visitorMessage({ session: 'session_mail', fingerprint: 1 })).expect(200);
      await settle();
      const prompt = lastUser(llm.chatRequests()[0].body);
      expect(prompt).toContain('Opened Team settings');
      expect(prompt).not.toContain('Exported invoices');
    });

    it('reads user_id, else a verified email, from the conversation meta', async () => {
      crisp.setMeta('session_meta_id', { email: 'omar@example.com', data: { user_id: 'u_lena' } });
      crisp.setMeta('session_meta_mail', { email: 'lena@example.com', data: {} });
      await hook(visitorMessage({ session: 'session_meta_id', fingerprint: 1 })).expect(200);
      await settle();
      await hook({ website_id: WEBSITE, event: 'session:update_verify', data: { website_id: WEBSITE, session_id: 'session_meta_mail', is_verified: true } }).expect(200);
      await hook(visitorMessage({ session: 'session_meta_mail', fingerprint: 1 })).expect(200);
      await settle();
      const [byId, byMail] = llm.chatRequests().map((r) => lastUser(r.body));
      expect(byId).toContain('Exported invoices');
      expect(byId).not.toContain('Opened Team settings');
      expect(byMail).toContain('Exported invoices');
    });

    it('an email Crisp has not verified links the session to nobody (anyone can type an email)', async () => {
      await hook({ website_id: WEBSITE, event: 'session:set_email', data: { session_id: 'session_typed', email: 'omar@example.com' } }).expect(200);
      await hook(visitorMessage({ session: 'session_typed', fingerprint: 1 })).expect(200);
      await settle();
      const prompt = lastUser(llm.chatRequests()[0].body);
      expect(prompt).not.toContain('Opened Team settings');
      expect(crisp.messagesSent('session_typed')).toHaveLength(1);
    });

    it('answers without activity when the session maps to nobody', async () => {
      await hook(visitorMessage({ session: 'session_anon', fingerprint: 1 })).expect(200);
      await settle();
      const prompt = lastUser(llm.chatRequests()[0].body);
      expect(prompt).not.toContain('Opened Team settings');
      expect(prompt).not.toContain('Exported invoices');
      expect(crisp.messagesSent('session_anon')).toHaveLength(1);
    });
  });

  it('ReplyPipeline.deliver posts an unprompted operator message to a known session, once per delivery id', async () => {
    const pipeline = t.app.get(ReplyPipeline);
    expect(pipeline.canSend('crisp')).toBe(true);
    await pipeline.deliver('crisp', { conversationId: 'session_proactive' }, { text: 'Need a hand with billing?' }, 'd1');
    await pipeline.deliver('crisp', { conversationId: 'session_proactive' }, { text: 'Need a hand with billing?' }, 'd1');
    await settle();
    const sent = crisp.messagesSent('session_proactive');
    expect(sent.map((r) => r.body.content)).toEqual(['Need a hand with billing?']);
    expect(sent[0].body.from).toBe('operator');
  });
});

describe('Crisp: outages are retried within CRISP_RETRY_WINDOW_SECONDS, then dead-lettered; local errors are final', () => {
  const crisp = new FakeCrispServer();
  const llm = new FakeOpenAiServer();
  let t: TestApp;
  const hook = (body: unknown) => request(t.server).post('/crisp/hooks').query({ key: HOOK_KEY }).set('content-type', 'application/json').send(JSON.stringify(body));
  const settle = () => t.app.get<JobQueue>(JOB_QUEUE).drain(10_000);
  beforeAll(async () => {
    await crisp.start();
    await llm.start();
    t = await bootTestApp({
      env: crispEnv(crisp.url, llm.url, { CRISP_RETRY_WINDOW_SECONDS: '2' }),
      // Many attempts allowed: the time window decides.
      override: (b) => b.overrideProvider(DELIVERY_POLICY).useValue({ attempts: 1_000, backoffMs: 20, maxBackoffMs: 100, retryWindowMs: 60_000 }),
    });
  });
  afterAll(async () => {
    await t.close();
    await crisp.stop();
    await llm.stop();
  });
  beforeEach(() => crisp.reset());

  it('an outage shorter than the window loses nothing: the reply goes out once Crisp is back', async () => {
    crisp.script('message', ...Array.from({ length: 6 }, () => 503));
    await hook(visitorMessage({ session: 'session_outage', fingerprint: 1 })).expect(200);
    await settle();
    expect(crisp.byRoute('message').length).toBeGreaterThan(5);
    expect(crisp.messagesSent('session_outage')).toHaveLength(1);
  });

  it('an outage longer than the window ends in the dead-letter list, not in silence', async () => {
    crisp.script('message', ...Array.from({ length: 500 }, () => 503));
    await hook(visitorMessage({ session: 'session_long_outage', fingerprint: 1 })).expect(200);
    await settle();
    expect(crisp.messagesSent('session_long_outage')).toHaveLength(0);
    const list = (await request(t.server).get('/v1/admin/dead-letters').expect(200)).body;
    const entry = list.items.find((i: { id: string }) => i.id === 'crisp:session_long_outage:1');
    expect(entry.reason).toMatch(/retry window/);
    expect(entry.attempts).toBeGreaterThan(5);
  });

  it('a malformed session id is refused at the hook and never retried as if Crisp were down', async () => {
    const before = crisp.requests.length;
    for (const session of ['session with spaces', 'session_\u0007bell', 'session_<script>']) {
      await hook(visitorMessage({ session, fingerprint: 1 })).expect(200);
    }
    await settle();
    expect(crisp.requests.length).toBe(before);
    expect(await t.app.get(MetricsService).render()).toMatch(/crisp_hooks_total\{event="message:send",outcome="invalid"\} 3/);
    // A lone surrogate never even reaches the hook router.
    await request(t.server).post('/crisp/hooks').query({ key: HOOK_KEY }).set('content-type', 'application/json')
      .send('{"event":"message:send","data":{"session_id":"session_\\ud800","type":"text","from":"user","content":"hi"}}').expect(400);
  });
});

describe('Crisp: identity verification (USER_TOKEN_SECRET, IDENTITY_VERIFICATION=required)', () => {
  const crisp = new FakeCrispServer();
  const llm = new FakeOpenAiServer();
  const SECRET = 'tenant-user-token-secret';
  const token = (userId: string) => createHmac('sha256', SECRET).update(userId).digest('hex');
  let t: TestApp;
  const hook = (body: unknown) => request(t.server).post('/crisp/hooks').query({ key: HOOK_KEY }).set('content-type', 'application/json').send(JSON.stringify(body));
  const setData = (session: string, data: Record<string, unknown>) => hook({ website_id: WEBSITE, event: 'session:set_data', data: { website_id: WEBSITE, session_id: session, data } }).expect(200);

  beforeAll(async () => {
    await crisp.start();
    await llm.start();
    t = await boot(crisp.url, llm.url, { USER_TOKEN_SECRET: SECRET, IDENTITY_VERIFICATION: 'required' });
    await request(t.server).post('/v1/activity').set('content-type', 'application/json')
      .send(JSON.stringify({ type: 'actions', product_id: 'acme', session_id: 'app_victim', user_id: 'u_victim', actions: [{ type: 'click', title: 'Victim private page' }] })).expect(202);
  });
  afterAll(async () => {
    await t.close();
    await crisp.stop();
    await llm.stop();
  });
  beforeEach(() => {
    crisp.reset();
    llm.requests.length = 0;
  });
  const promptFor = async (session: string) => {
    await hook(visitorMessage({ session, fingerprint: 1 })).expect(200);
    await t.app.get<JobQueue>(JOB_QUEUE).drain(5_000);
    expect(crisp.messagesSent(session)).toHaveLength(1);
    return lastUser(llm.chatRequests()[0].body);
  };

  it('trusts session data user_id only with a valid user_token', async () => {
    await setData('session_valid', { user_id: 'u_victim', user_token: token('u_victim') });
    expect(await promptFor('session_valid')).toContain('Victim private page');
  });

  it.each([
    ['no user_token', { user_id: 'u_victim' }],
    ['a forged user_token', { user_id: 'u_victim', user_token: token('u_attacker') }],
    ['a token for another secret', { user_id: 'u_victim', user_token: createHmac('sha256', 'other').update('u_victim').digest('hex') }],
  ])('a claim with %s answers without the victim\'s activity', async (_n, data) => {
    const session = `session_${Math.random().toString(36).slice(2)}`;
    await setData(session, data);
    expect(await promptFor(session)).not.toContain('Victim private page');
  });
});

describe('Crisp plugin hooks: X-Crisp-Signature', () => {
  const crisp = new FakeCrispServer();
  const llm = new FakeOpenAiServer();
  let t: TestApp;
  beforeAll(async () => {
    await crisp.start();
    await llm.start();
    t = await boot(crisp.url, llm.url, { CRISP_HOOK_SIGNING_SECRET: SIGNING, CRISP_TOKEN_TIER: 'website' });
  });
  afterAll(async () => {
    await t.close();
    await crisp.stop();
    await llm.stop();
  });

  const signed = (raw: string, ts: string, signature: string | null) => {
    const req = request(t.server).post('/crisp/hooks').query({ key: HOOK_KEY }).set('content-type', 'application/json').set('x-crisp-request-timestamp', ts);
    return (signature === null ? req : req.set('x-crisp-signature', signature)).send(raw);
  };

  it('accepts a valid signature over "[timestamp;raw body]" and replies', async () => {
    // Crisp's own formatting (spaces, blank lines) must be signed as received, not re-serialised.
    const raw = readFixture('crisp', 'webhook_message_send.quickstart.json');
    const ts = String(Date.now());
    await signed(raw, ts, hmacSha256Hex(SIGNING, `[${ts};${raw}]`)).expect(200, { status: 'ok' });
    await t.app.get<JobQueue>(JOB_QUEUE).drain(5_000);
    const sent = crisp.messagesSent(SESSION);
    expect(sent).toHaveLength(1);
    expect(sent[0].tier).toBe('website');
  });

  it('refuses a bad, missing or replayed-with-other-timestamp signature', async () => {
    const raw = JSON.stringify(visitorMessage({ session: 'session_sig', fingerprint: 1 }));
    const ts = String(Date.now());
    const other = String(Date.now() + 1);
    const good = hmacSha256Hex(SIGNING, `[${ts};${raw}]`);
    await signed(raw, ts, hmacSha256Hex('wrong-secret', `[${ts};${raw}]`)).expect(401);
    await signed(raw, ts, null).expect(401);
    await signed(raw, other, good).expect(401);
    await signed(raw.replace('session_sig', 'session_sih'), ts, good).expect(401);
    await signed(raw, ts, good.toUpperCase()).expect(200);
  });

  it('refuses a correctly signed hook whose timestamp is more than CRISP_SIGNATURE_MAX_AGE_SECONDS away (a replay)', async () => {
    const raw = JSON.stringify(visitorMessage({ session: 'session_replay', fingerprint: 1 }));
    const sign = (ts: string) => hmacSha256Hex(SIGNING, `[${ts};${raw}]`);
    for (const ts of [String(Date.now() - 301_000), String(Date.now() + 301_000), '1001894400000', '1001894400', 'abc', '']) {
      await signed(raw, ts, sign(ts)).expect(401);
    }
    const seconds = String(Math.floor(Date.now() / 1000) - 60);
    await signed(raw, seconds, sign(seconds)).expect(200);
    const m = await t.app.get(MetricsService).render();
    expect(m).toMatch(/crisp_hooks_unauthorized_total\{check="timestamp"\} [4-9]/);
  });

  it('also accepts the signature Crisp\'s Node library computes, over JSON.stringify of the parsed body', async () => {
    const raw = readFixture('crisp', 'webhook_message_send.quickstart.json');
    const body = JSON.parse(raw);
    body.data.session_id = 'session_sig_node';
    const pretty = JSON.stringify(body, null, 2);
    const ts = String(Date.now());
    await signed(pretty, ts, hmacSha256Hex(SIGNING, `[${ts};${JSON.stringify(body)}]`)).expect(200, { status: 'ok' });
    // Content that differs from what was signed, in either form, is refused.
    const tampered = pretty.replace('session_sig_node', 'session_sig_evil');
    await signed(tampered, ts, hmacSha256Hex(SIGNING, `[${ts};${JSON.stringify(body)}]`)).expect(401);
  });
});

describe('Crisp channel shutdown', () => {
  it('finishes queued replies before the app closes', async () => {
    const crisp = await new FakeCrispServer().start();
    const llm = await new FakeOpenAiServer().start();
    llm.respondWith(() => ({ text: 'late but sent', delayMs: 200 }));
    const t = await boot(crisp.url, llm.url);
    try {
      await request(t.server).post('/crisp/hooks').query({ key: HOOK_KEY }).set('content-type', 'application/json').send(JSON.stringify(FIXTURE)).expect(200);
      expect(crisp.messagesSent()).toHaveLength(0);
      await t.close();
      expect(crisp.messagesSent(SESSION).map((r) => r.body.content)).toEqual(['late but sent']);
    } finally {
      await crisp.stop();
      await llm.stop();
    }
  });
});

describe('Crisp channel configuration', () => {
  it('refuses to boot without the Crisp variables, naming each', () => {
    let message = '';
    try {
      AppModule.forRoot({ env: { CHANNELS: 'crisp', LLM_PROVIDER: 'offline' } });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const key of ['CRISP_WEBSITE_ID', 'CRISP_TOKEN_IDENTIFIER', 'CRISP_TOKEN_KEY', 'CRISP_WEBHOOK_SECRET']) {
      expect(message).toContain(`${key} is required when CHANNELS contains crisp`);
    }
  });

  it('has no /crisp/hooks route when crisp is not enabled', async () => {
    const t = await bootTestApp({ env: { CHANNELS: 'rest' } });
    try {
      await request(t.server).post('/crisp/hooks').query({ key: 'x' }).send({}).expect(404);
    } finally {
      await t.close();
    }
  });

  it('refuses ROLE=web without the shared drivers, naming what it needs', async () => {
    await expect(bootTestApp({ env: { ROLE: 'web', STORE: 'memory', QUEUE: 'memory' } })).rejects.toThrow(/ROLE=web needs STORE=redis and QUEUE=bullmq/);
  });
});
