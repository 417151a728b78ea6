import { KB_DEFAULTS, KbOptionsError, resolveKbOptions } from './kb.options';

describe('resolveKbOptions', () => {
  it('applies the documented defaults', () => {
    expect(resolveKbOptions({ dir: '/kb' })).toEqual({
      dir: '/kb',
      watch: true,
      watchDebounceMs: 500,
      topK: 4,
      maxChars: 3_000,
      pageBoost: 2,
      contextWeight: 0.3,
      maxChunkChars: 1_200,
      maxFileBytes: 1_048_576,
      maxFiles: 5_000,
      candidates: 50,
      store: 'memory',
      databaseUrl: undefined,
      postgresSchema: 'public',
      postgresTablePrefix: 'kb_',
      embeddings: { provider: 'none' },
    });
    expect(resolveKbOptions({ dir: '/kb', embeddings: { provider: 'openai', apiKey: 'k' } }).embeddings).toEqual({
      provider: 'openai',
      apiKey: 'k',
      dimensions: undefined,
      ...KB_DEFAULTS.embeddings,
    });
  });

  it.each([
    [{ topK: 0 }, /KbOptions.topK \(KB_TOP_K\) must be an integer between 1 and 50/],
    [{ pageBoost: -1 }, /KB_PAGE_BOOST/],
    [{ maxChunkChars: 50 }, /KB_CHUNK_MAX_CHARS/],
    [{ store: 'postgres' as const }, /needs databaseUrl \(DATABASE_URL\)/],
    [{ store: 'redis' as never }, /KB_STORE/],
    [{ postgresSchema: 'Bad-Name' }, /KB_PG_SCHEMA/],
    [{ embeddings: { provider: 'openai' as const } }, /needs apiKey \(EMBEDDINGS_API_KEY\)/],
    [{ embeddings: { provider: 'cohere' as never } }, /EMBEDDINGS_PROVIDER/],
    [{ embeddings: { provider: 'openai' as const, apiKey: 'k', batchSize: 0 } }, /EMBEDDINGS_BATCH_SIZE/],
  ])('refuses %j naming the option and its variable', (over, message) => {
    expect(() => resolveKbOptions({ dir: '/kb', ...over })).toThrow(KbOptionsError);
    expect(() => resolveKbOptions({ dir: '/kb', ...over })).toThrow(message);
  });
});
