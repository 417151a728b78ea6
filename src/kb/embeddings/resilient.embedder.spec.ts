import { FakeOpenAiServer } from '../../../test/support/fake-openai.server';
import { MetricsService } from '../../observability/metrics.service';
import { KbMetrics } from '../kb.metrics';
import { EmbeddingError } from './embedder.port';
import { OpenAiEmbedder, retryAfterMs } from './openai.embedder';
import { ResilientEmbedder, type EmbeddingResilience } from './resilient.embedder';

describe('ResilientEmbedder over the real openai client and a local server', () => {
  const fake = new FakeOpenAiServer();
  let metrics: MetricsService;
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.respondToEmbeddingsWith(() => ({ embed: true }));
    metrics = new MetricsService();
  });

  function build(opts: Partial<EmbeddingResilience> = {}, dimensions?: number): ResilientEmbedder {
    const inner = new OpenAiEmbedder({ baseUrl: fake.url, apiKey: 'k', model: 'emb', dimensions, timeoutMs: 5_000 });
    // Long default backoff: a quick successful retry can only have used the server's hint.
    return new ResilientEmbedder(inner, { timeoutMs: 3_000, maxRetries: 2, breakerThreshold: 3, breakerHalfOpenMs: 60_000, retryBaseMs: 10_000, batchSize: 3, ...opts }, new KbMetrics(metrics));
  }

  async function failure(p: Promise<unknown>): Promise<EmbeddingError> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EmbeddingError);
    return err as EmbeddingError;
  }

  it('embeds in batches of batchSize, keeping input order, and sends dimensions when configured', async () => {
    const vectors = await build({}, 16).embedAll(['a one', 'b two', 'c three', 'd four', 'e five']);
    expect(vectors).toHaveLength(5);
    expect(vectors[0]).toHaveLength(16);
    expect(fake.embeddingRequests().map((r) => r.body.input)).toEqual([['a one', 'b two', 'c three'], ['d four', 'e five']]);
    expect(fake.embeddingRequests()[0].body).toMatchObject({ model: 'emb', dimensions: 16 });
    expect(await metrics.render()).toMatch(/kb_embedding_requests_total\{outcome="success"\} 2/);
  });

  it('retries a 429 after the retry-after-ms the server asked for', async () => {
    let n = 0;
    fake.respondToEmbeddingsWith(() => (n++ === 0 ? { status: 429, headers: { 'retry-after-ms': '20' } } : { embed: true }));
    await expect(build().embedBatch(['x'])).resolves.toHaveLength(1);
    expect(fake.embeddingRequests()).toHaveLength(2);
    expect(await metrics.render()).toMatch(/kb_embedding_requests_total\{outcome="rate_limited"\} 1/);
  });

  it('gives up after maxRetries on 5xx, does not retry a 400, and classifies a hung call as a timeout', async () => {
    fake.respondToEmbeddingsWith(() => ({ status: 503, headers: { 'retry-after': '0' } }));
    expect((await failure(build({ maxRetries: 2 }).embedBatch(['x']))).reason).toBe('server_error');
    expect(fake.embeddingRequests()).toHaveLength(3);

    fake.requests.length = 0;
    fake.respondToEmbeddingsWith(() => ({ status: 400 }));
    expect((await failure(build().embedBatch(['x']))).reason).toBe('bad_request');
    expect(fake.embeddingRequests()).toHaveLength(1);

    fake.respondToEmbeddingsWith(() => ({ hang: true }));
    expect((await failure(build({ timeoutMs: 150, maxRetries: 0 }).embedBatch(['x']))).reason).toBe('timeout');
  });

  it('opens the breaker after consecutive failures and then fails fast without calling the endpoint', async () => {
    fake.respondToEmbeddingsWith(() => ({ status: 500 }));
    const e = build({ maxRetries: 0, breakerThreshold: 2 });
    await failure(e.embedBatch(['x']));
    await failure(e.embedBatch(['x']));
    expect(e.state()).toBe('open');
    const calls = fake.embeddingRequests().length;
    expect((await failure(e.embedBatch(['x']))).reason).toBe('circuit_open');
    expect(fake.embeddingRequests()).toHaveLength(calls);
    expect(e.lastError()).toMatch(/^circuit_open/);
  });

  it('refuses a response with the wrong number of vectors or malformed values', async () => {
    fake.respondToEmbeddingsWith(() => ({ status: 200, body: { object: 'list', data: [{ index: 0, embedding: [0.1] }] } }));
    expect((await failure(build({ maxRetries: 0 }).embedBatch(['a', 'b']))).reason).toBe('bad_response');
    fake.respondToEmbeddingsWith(() => ({ status: 200, body: { object: 'list', data: [{ index: 0, embedding: ['x'] }] } }));
    expect((await failure(build({ maxRetries: 0 }).embedBatch(['a']))).reason).toBe('bad_response');
  });

  it('reads Retry-After in milliseconds, seconds or as a date, capped at a minute', () => {
    const h = (o: Record<string, string>) => ({ get: (k: string) => o[k] ?? null });
    expect(retryAfterMs(h({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(h({ 'retry-after': '2' }))).toBe(2_000);
    expect(retryAfterMs(h({ 'retry-after': new Date(10_000).toUTCString() }), 5_000)).toBe(5_000);
    expect(retryAfterMs(h({ 'retry-after': '3600' }))).toBe(60_000);
    expect(retryAfterMs(h({}))).toBeUndefined();
  });
});
