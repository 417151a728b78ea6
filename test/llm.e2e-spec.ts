import { at } from './support/clock';
import request from 'supertest';
import { ActivityIngestService } from '../src/activity/activity-ingest.service';
import { LLM_PROVIDER, RAW_LLM_PROVIDER } from '../src/llm/llm.constants';
import type { LlmProvider, LlmRequest, LlmResponse } from '../src/llm/llm.port';
import { OFFLINE_NOTICE } from '../src/llm/providers/offline.provider';
import { FakeAnthropicServer } from './support/fake-anthropic.server';
import { FakeOpenAiServer } from './support/fake-openai.server';
import { bootTestApp } from './support/test-app';

const KEY = 'llm-e2e-key';
const auth = { authorization: `Bearer ${KEY}` };

/** Another LLM_PROVIDER implementation, swapped in by DI for the whole app. */
class EchoProvider implements LlmProvider {
  readonly name = 'echo';
  readonly requests: LlmRequest[] = [];
  async complete(req: LlmRequest): Promise<LlmResponse> {
    this.requests.push(req);
    return { text: `echo #${this.requests.length} (${req.purpose})`, model: 'echo-1' };
  }
}

function clickEvent(sessionId: string, userId: string, n = 1) {
  return {
    type: 'actions' as const,
    productId: 'p1',
    sessionId,
    userId,
    actions: Array.from({ length: n }, (_, i) => ({ index: i, type: 'click', title: `Clicked 'Export ${i}'`, description: '', canonicalUrl: '/reports', rawUrl: '', timestampStart: at(), timestampEnd: at() })),
    count: n,
    forwardedAt: 1,
    source: 'test' as const,
  };
}

describe('LlmModule wiring', () => {
  it('overriding RAW_LLM_PROVIDER swaps the model for the chat reply path and the summarizer (each behind its own breaker)', async () => {
    const echo = new EchoProvider();
    const t = await bootTestApp({
      env: { CHANNELS: 'rest', API_KEYS: KEY, SUMMARY_THRESHOLD: '2' },
      override: (b) => b.overrideProvider(RAW_LLM_PROVIDER).useValue(echo),
    });
    try {
      t.app.get(ActivityIngestService).publish(clickEvent('s-di', 'u-di', 2));
      const res = await request(t.server).post('/v1/chat').set(auth).send({ userId: 'u-di', message: 'what now?' }).expect(200);
      expect(res.body.reply).toMatch(/^echo #\d \(copilot\.reply\)$/);
      for (let i = 0; i < 100 && !echo.requests.some((r) => r.purpose === 'summarizer'); i++) await new Promise((r) => setTimeout(r, 10));
      expect(echo.requests.map((r) => r.purpose).sort()).toEqual(['copilot.reply', 'summarizer']);
    } finally {
      await t.close();
    }
  });

  it('defaults to the offline provider without a key: replies from activity and says AI needs a key', async () => {
    const t = await bootTestApp({ env: { LLM_PROVIDER: '', CHANNELS: 'rest', API_KEYS: KEY } });
    try {
      expect(t.app.get<LlmProvider>(RAW_LLM_PROVIDER).name).toBe('offline');
      t.app.get(ActivityIngestService).publish(clickEvent('s-off', 'u-off'));
      const res = await request(t.server).post('/v1/chat').set(auth).send({ userId: 'u-off', message: 'help' }).expect(200);
      expect(res.body.reply).toContain("Clicked 'Export 0'");
      expect(res.body.reply).toContain(OFFLINE_NOTICE);
      const health = await request(t.server).get('/healthz').expect(200);
      expect(JSON.stringify(health.body)).toContain('"breaker":"closed"');
    } finally {
      await t.close();
    }
  });

  it('defaults to openai when OPENAI_API_KEY is set', async () => {
    const fake = await new FakeOpenAiServer().start();
    const t = await bootTestApp({ env: { LLM_PROVIDER: '', OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: fake.url, LLM_MODEL: 'my-model', CHANNELS: 'rest', API_KEYS: KEY } });
    try {
      expect(t.app.get<LlmProvider>(LLM_PROVIDER).name).toBe('openai');
      const res = await request(t.server).post('/v1/chat').set(auth).send({ userId: 'u-oa', message: 'hi' }).expect(200);
      expect(res.body.reply).toBe('fake reply #1');
      expect(fake.chatRequests()[0].body).toMatchObject({ model: 'my-model', temperature: 0.3, max_tokens: 512 });
    } finally {
      await t.close();
      await fake.stop();
    }
  });

  it('LLM_PROVIDER=anthropic answers chat through the Messages API', async () => {
    const fake = await new FakeAnthropicServer().start();
    const t = await bootTestApp({ env: { LLM_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-ant', ANTHROPIC_BASE_URL: fake.url, LLM_MAX_TOKENS: '300', CHANNELS: 'rest', API_KEYS: KEY } });
    try {
      const res = await request(t.server).post('/v1/chat').set(auth).send({ userId: 'u-an', message: 'hi' }).expect(200);
      expect(res.body.reply).toBe('fake anthropic reply #1');
      const body = fake.messageRequests()[0].body;
      expect(body).toMatchObject({ model: 'claude-3-5-haiku-latest', max_tokens: 300 });
      expect(typeof body.system).toBe('string');
      expect(body.messages[body.messages.length - 1].content).toContain('hi');
    } finally {
      await t.close();
      await fake.stop();
    }
  });

  it('an unknown LLM_PROVIDER stops the boot, naming the variable', async () => {
    await expect(bootTestApp({ env: { LLM_PROVIDER: 'gpt5-magic' } })).rejects.toThrow(/LLM_PROVIDER/);
  });

  it('LLM_PROVIDER=openai without a key stops the boot rather than falling back to offline', async () => {
    await expect(bootTestApp({ env: { LLM_PROVIDER: 'openai' } })).rejects.toThrow(/OPENAI_API_KEY/);
  });
});
