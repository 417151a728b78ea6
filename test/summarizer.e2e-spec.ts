import { at, isoAt } from './support/clock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { SESSION_STORE } from '../src/activity/activity.constants';
import { ActivityIngestService } from '../src/activity/activity-ingest.service';
import type { ActionsEvent, SummaryEvent } from '../src/activity/activity.types';
import type { SessionContext, SessionStore } from '../src/activity/session-store/session-store.port';
import type { JobQueue } from '../src/queue/job-queue.port';
import { JOB_QUEUE } from '../src/queue/queue.constants';
import { FakeOpenAiServer, type RecordedRequest } from './support/fake-openai.server';
import { dataBlock } from './support/prompt';
import { bootTestApp, type TestApp } from './support/test-app';

const PRODUCT = 'p_sum';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 3_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** Summary requests are the ones carrying our ACTIONS block; each names its session through the action titles. */
function summaryRequests(fake: FakeOpenAiServer, sessionId: string): RecordedRequest[] {
  return fake.chatRequests().filter((r) => {
    const user: string = r.body?.messages?.find((m: { role: string }) => m.role === 'user')?.content ?? '';
    return user.includes('<<<ACTIONS') && user.includes(`${sessionId}:`);
  });
}
const userContent = (r: RecordedRequest): string => r.body.messages.find((m: { role: string }) => m.role === 'user').content;

describe('Rolling summaries (real app, real openai client, local OpenAI-compatible server)', () => {
  const fake = new FakeOpenAiServer();
  let t: TestApp;
  let store: SessionStore;
  let ingest: ActivityIngestService;
  let queue: JobQueue;
  const counters = new Map<string, number>();

  function push(sessionId: string, n: number): void {
    const start = counters.get(sessionId) ?? 0;
    counters.set(sessionId, start + n);
    const actions = Array.from({ length: n }, (_, i) => ({
      index: start + i,
      type: 'click',
      title: `${sessionId}: action ${start + i + 1}`,
      description: '',
      canonicalUrl: `/page/${start + i + 1}`,
      rawUrl: '',
      timestampStart: at(start + i),
      timestampEnd: at(start + i),
    }));
    const event: ActionsEvent = { type: 'actions', productId: PRODUCT, sessionId, userId: `user-${sessionId}`, actions, count: n, forwardedAt: 1_700_000_000, source: 'test' };
    ingest.publish(event);
  }
  const ctx = (sessionId: string): Promise<SessionContext | null> => store.getSessionContext({ productId: PRODUCT, sessionId });
  const titles = (c: SessionContext | null) => (c?.actions ?? []).map((a) => a.title);

  beforeAll(async () => {
    await fake.start();
    t = await bootTestApp({
      env: {
        LLM_PROVIDER: 'openai',
        OPENAI_API_KEY: 'test',
        OPENAI_BASE_URL: fake.url,
        LLM_MAX_RETRIES: '0',
        SUMMARY_THRESHOLD: '3',
        SUMMARY_RETRY_BASE_MS: '300',
        SUMMARY_RETRY_MAX_MS: '1000',
      },
    });
    store = t.app.get(SESSION_STORE);
    queue = t.app.get(JOB_QUEUE);
    ingest = t.app.get(ActivityIngestService);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });
  beforeEach(() => fake.respondWith((r) => ({ text: `summary of ${userContent(r).match(/(\w+): action/)?.[1]} #${fake.requests.length}` })));

  it('counts actions, not batches: 2 actions then 1 more trigger exactly one summary covering all 3', async () => {
    push('count', 2);
    await sleep(50);
    expect(summaryRequests(fake, 'count')).toHaveLength(0);
    push('count', 1);
    const c = await waitFor(async () => ((await ctx('count'))?.summary ? ctx('count') : undefined));
    expect(c!.summary!.text).toMatch(/^summary of count/);
    expect(c!.actions).toHaveLength(0);
    const [req] = summaryRequests(fake, 'count');
    expect(userContent(req)).toContain('count: action 1');
    expect(userContent(req)).toContain('count: action 3');
    expect(req.body.messages[0].role).toBe('system');
    // Summaries use LLM_TEMPERATURE (0.3 by default) unless SUMMARY_TEMPERATURE says otherwise.
    expect(req.body.temperature).toBe(0.3);
  });

  it('one batch of 5 actions triggers one summary', async () => {
    push('batch', 5);
    await waitFor(async () => (await ctx('batch'))?.summary);
    await sleep(50);
    expect(summaryRequests(fake, 'batch')).toHaveLength(1);
  });

  it('rolls: the next summary is asked for the previous summary plus only the new actions', async () => {
    push('roll', 3);
    const first = await waitFor(async () => (await ctx('roll'))?.summary);
    // Once its job has finished (actions stored while it runs are the next test's case).
    await waitFor(async () => ((await queue.status()).running === 0 ? true : undefined));
    push('roll', 3);
    await waitFor(async () => ((await ctx('roll'))?.summary?.text !== first.text ? true : undefined));
    const reqs = summaryRequests(fake, 'roll');
    expect(reqs).toHaveLength(2);
    const second = userContent(reqs[1]);
    expect(dataBlock(second, 'PREVIOUS_SUMMARY')).toBe(first.text);
    expect(second).toContain('roll: action 4');
    expect(second).toContain('roll: action 6');
    expect(second).not.toContain('roll: action 3');
  });

  it('actions stored while the summary job runs get a summary of their own, with no further append', async () => {
    fake.respondWith((r) => {
      const content = userContent(r);
      if (!content.includes('later:')) return { text: 'other' };
      // The first call is slow, so the next three actions arrive while its job is running (and its id is taken).
      return content.includes('later: action 4') ? { text: `later summary #${fake.requests.length}` } : { text: 'later first', delayMs: 300 };
    });
    push('later', 3);
    await waitFor(() => summaryRequests(fake, 'later').length === 1);
    push('later', 3);
    const c = await waitFor(async () => {
      const s = await ctx('later');
      return s?.summary && s.summary.text !== 'later first' && s.actions.length === 0 ? s : undefined;
    });
    expect(c!.summary!.text).toMatch(/^later summary/);
    const last = userContent(summaryRequests(fake, 'later').at(-1)!);
    expect(dataBlock(last, 'PREVIOUS_SUMMARY')).toBe('later first');
    expect(last).toContain('later: action 6');
    expect(last).not.toContain('later: action 3');
  });

  it('keeps raw actions until the summary is stored, then drops exactly the ones it covered (mid-call arrivals stay)', async () => {
    fake.respondWith((r) => {
      if (!userContent(r).includes('order:')) return { text: 'other' };
      return { text: 'ordered summary', delayMs: 400 };
    });
    push('order', 3);
    await waitFor(() => summaryRequests(fake, 'order').length === 1);
    // Mid-call: nothing dropped yet, and two more actions arrive.
    push('order', 2);
    await sleep(20);
    expect(titles(await ctx('order'))).toEqual(['order: action 1', 'order: action 2', 'order: action 3', 'order: action 4', 'order: action 5']);
    expect((await ctx('order'))!.summary).toBeUndefined();
    const c = await waitFor(async () => ((await ctx('order'))?.summary ? ctx('order') : undefined));
    expect(c!.summary!.text).toBe('ordered summary');
    expect(titles(c)).toEqual(['order: action 4', 'order: action 5']);
  });

  it('on failure keeps the raw actions, retries on a backoff timer (not on every event), then succeeds', async () => {
    let fail = true;
    fake.respondWith((r) => (userContent(r).includes('flaky:') && fail ? { status: 503 } : { text: 'recovered summary' }));
    push('flaky', 3);
    await waitFor(() => summaryRequests(fake, 'flaky').length === 1);
    await sleep(30);
    expect(titles(await ctx('flaky'))).toHaveLength(3);
    // More activity during the backoff does not trigger calls of its own.
    for (let i = 0; i < 4; i++) push('flaky', 1);
    await sleep(100);
    expect(summaryRequests(fake, 'flaky')).toHaveLength(1);
    expect((await ctx('flaky'))!.summary).toBeUndefined();
    fail = false;
    const c = await waitFor(async () => ((await ctx('flaky'))?.summary ? ctx('flaky') : undefined));
    expect(c!.summary!.text).toBe('recovered summary');
    expect(c!.actions).toHaveLength(0);
    expect(summaryRequests(fake, 'flaky')).toHaveLength(2);
    expect(userContent(summaryRequests(fake, 'flaky')[1])).toContain('flaky: action 7');
    const metrics = await request(t.server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/summaries_total\{outcome="failure"\} [1-9]/);
    expect(metrics.text).toMatch(/summaries_total\{outcome="success"\} [1-9]/);
    expect(metrics.text).toMatch(/summary_duration_seconds_count\{outcome="success"\} [1-9]/);
  });

  it('a slow session does not delay another session', async () => {
    fake.respondWith((r) => (userContent(r).includes('slow:') ? { text: 'slow summary', delayMs: 1_500 } : { text: 'fast summary' }));
    push('slow', 3);
    await waitFor(() => summaryRequests(fake, 'slow').length === 1);
    push('fast', 3);
    await waitFor(async () => (await ctx('fast'))?.summary);
    expect((await ctx('slow'))!.summary).toBeUndefined();
    expect((await ctx('fast'))!.summary!.text).toBe('fast summary');
    await waitFor(async () => (await ctx('slow'))?.summary);
  });

  it('applies connector summary events to the store and restarts the count from them', async () => {
    push('conn', 2);
    await sleep(20);
    const summary: SummaryEvent = { type: 'summary', productId: PRODUCT, sessionId: 'conn', summary: 'Connector says: explored settings.', replaces: 2, forwardedAt: 1_700_000_100, source: 'test' };
    ingest.publish(summary);
    const c = await waitFor(async () => ((await ctx('conn'))?.summary ? ctx('conn') : undefined));
    expect(c!.summary!.text).toBe('Connector says: explored settings.');
    expect(c!.actions).toHaveLength(0);
    push('conn', 2);
    await sleep(50);
    expect(summaryRequests(fake, 'conn')).toHaveLength(0);
    push('conn', 1);
    await waitFor(() => summaryRequests(fake, 'conn').length === 1);
    expect(userContent(summaryRequests(fake, 'conn')[0])).toContain('Connector says: explored settings.');
  });
});

describe('Summarizer configuration', () => {
  const fake = new FakeOpenAiServer();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  const base = { LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'test', SUMMARY_THRESHOLD: '2' };
  const event = (sessionId: string, n: number): ActionsEvent => ({
    type: 'actions',
    productId: 'p',
    sessionId,
    actions: Array.from({ length: n }, (_, i) => ({ index: i, type: 'click', title: `cfg ${i}`, description: '', canonicalUrl: '/x', rawUrl: '', timestampStart: at(), timestampEnd: at() })),
    count: n,
    forwardedAt: 1,
    source: 'test',
  });

  it('SUMMARIZER=none never calls the LLM and keeps raw actions', async () => {
    const t = await bootTestApp({ env: { ...base, OPENAI_BASE_URL: fake.url, SUMMARIZER: 'none' } });
    try {
      t.app.get(ActivityIngestService).publish(event('none-1', 5));
      await sleep(100);
      expect(fake.chatRequests()).toHaveLength(0);
      const c = await t.app.get<SessionStore>(SESSION_STORE).getSessionContext({ productId: 'p', sessionId: 'none-1' });
      expect(c!.actions).toHaveLength(5);
    } finally {
      await t.close();
    }
  });

  it('uses SUMMARY_PROMPT_FILE, with {actions} and {previous_summary} filled in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-prompt-'));
    const file = join(dir, 'prompt.txt');
    writeFileSync(file, 'CUSTOM PROMPT\nBefore: {previous_summary}\nNow: {actions}\n');
    const t = await bootTestApp({ env: { ...base, OPENAI_BASE_URL: fake.url, SUMMARY_PROMPT_FILE: file } });
    try {
      fake.requests.length = 0;
      t.app.get(ActivityIngestService).publish(event('file-1', 2));
      await waitFor(() => fake.chatRequests().length === 1);
      const content = userContent(fake.chatRequests()[0]);
      expect(content).toMatch(/^CUSTOM PROMPT\nBefore: <<<PREVIOUS_SUMMARY ([0-9a-f]{12})\n\(none\)\n\1 PREVIOUS_SUMMARY>>>\nNow: <<<ACTIONS \1\n1\. \[click\] cfg 0 — \/x/);
    } finally {
      await t.close();
    }
  });

  it('SUMMARY_TEMPERATURE sets the temperature of summary calls', async () => {
    const t = await bootTestApp({ env: { ...base, OPENAI_BASE_URL: fake.url, SUMMARY_TEMPERATURE: '0.05', LLM_TEMPERATURE: '0.9' } });
    try {
      fake.requests.length = 0;
      t.app.get(ActivityIngestService).publish(event('temp-1', 2));
      await waitFor(() => fake.chatRequests().length === 1);
      expect(fake.chatRequests()[0].body.temperature).toBe(0.05);
    } finally {
      await t.close();
    }
  });

  it('refuses to boot when SUMMARY_PROMPT_FILE lacks {actions}', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-prompt-'));
    const file = join(dir, 'bad.txt');
    writeFileSync(file, 'Summarize {previous_summary}');
    await expect(bootTestApp({ env: { ...base, OPENAI_BASE_URL: fake.url, SUMMARY_PROMPT_FILE: file } })).rejects.toThrow(/\{actions\}/);
  });
});

describe('Summaries under a burst (500 sessions in one PostHog batch)', () => {
  const fake = new FakeOpenAiServer();
  let t: TestApp;
  let inFlight = 0;
  let peak = 0;
  beforeAll(async () => {
    await fake.start();
    t = await bootTestApp({
      env: {
        CHANNELS: 'rest', LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'test', OPENAI_BASE_URL: fake.url, LLM_MAX_RETRIES: '0',
        SUMMARY_THRESHOLD: '1', SUMMARY_CONCURRENCY: '4', SUMMARY_BUDGET_PER_MINUTE: '1000', LLM_BREAKER_THRESHOLD: '3',
        SUMMARY_RETRY_BASE_MS: '60000',
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('runs at most SUMMARY_CONCURRENCY summary calls at once, and a provider rate limit on summaries never opens the chat breaker', async () => {
    fake.respondWith((r) => {
      const isSummary = userContent(r).includes('<<<ACTIONS');
      if (!isSummary) return { text: 'a real chat answer' };
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => inFlight--, 40);
      return { status: 429, body: { error: { message: 'Rate limit reached' } }, delayMs: 40 };
    });
    const batch = Array.from({ length: 500 }, (_, i) => ({
      event: '$autocapture', event_type: 'click', session_id: `burst_${i}`, distinct_id: `burst_user_${i}`,
      current_url: 'https://app.example.com/projects', button_or_link_text: 'Open', timestamp: isoAt(10),
    }));
    await request(t.server).post('/v1/activity/posthog').set('content-type', 'application/json').send(JSON.stringify({ batch })).expect(202);
    // Every session's summary job runs once (fail fast once the summaries' breaker opened; retries are a minute away).
    await waitFor(async () => {
      const text = (await request(t.server).get('/metrics')).text;
      const failed = Number(/summaries_total\{outcome="failure"\} (\d+)/.exec(text)?.[1] ?? 0);
      return failed >= 500;
    }, 15_000);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThanOrEqual(2);
    // The provider saw only the calls made before the summaries' breaker opened.
    expect(fake.chatRequests().length).toBeLessThan(20);
    // The summaries' breaker is open; chat has its own and answers normally.
    const m = await request(t.server).get('/metrics').expect(200);
    expect(m.text).toMatch(/llm_circuit_state\{provider="openai",breaker="summary"\} 2/);
    expect(m.text).toMatch(/llm_circuit_state\{provider="openai",breaker="chat"\} 0/);
    const res = await request(t.server).post('/v1/chat').send({ userId: 'unrelated_user', message: 'hello?' }).expect(200);
    expect(res.body.reply).toBe('a real chat answer');
  });
});
