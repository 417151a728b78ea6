import { StoredActionsFeed, type ActionsStored } from '../activity/stored-actions.feed';
import type { ConfigOf, summarizerConfig } from '../config/config.namespaces';
import { MetricsService } from '../observability/metrics.service';
import { MemoryJobQueue } from '../queue/memory.job-queue';
import { SUMMARY_JOB } from './summarizer.constants';
import { SummaryScheduler } from './summary-scheduler';

describe('SummaryScheduler', () => {
  const scope = { productId: 'p', sessionId: 's1' };
  let metrics: MetricsService;
  let queue: MemoryJobQueue;
  let feed: StoredActionsFeed;

  beforeEach(() => {
    metrics = new MetricsService();
    // No handler registered: jobs wait, as they do while a summary waits for its turn.
    queue = new MemoryJobQueue({ metrics });
    feed = new StoredActionsFeed(metrics);
    new SummaryScheduler(feed, queue, { threshold: 10, retryBaseMs: 1_000, retryMaxMs: 10_000 } as ConfigOf<typeof summarizerConfig>).onModuleInit();
  });
  afterEach(() => queue.close());

  const stored = (unsummarised: number, appended = 1, sessionId = scope.sessionId, lastSeq = unsummarised): ActionsStored => ({
    scope: { ...scope, sessionId },
    appended,
    unsummarised,
    lastSeq,
    source: 'push',
  });
  const asked = async () => {
    const text = await metrics.render();
    const n = (outcome: string) => Number(new RegExp(`jobs_total\\{name="${SUMMARY_JOB}",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { enqueued: n('enqueued'), deduplicated: n('deduplicated') };
  };

  it('asks once when a session reaches the threshold, not again on every append while that job waits', async () => {
    for (let n = 1; n <= 19; n++) await feed.publish(stored(n));
    expect(await asked()).toEqual({ enqueued: 1, deduplicated: 0 });
    expect((await queue.status()).waiting).toBe(1);
  });

  it('asks again per threshold of further actions (a summary that failed or was superseded is asked for again)', async () => {
    for (let n = 1; n <= 30; n++) await feed.publish(stored(n));
    // 10 enqueued it; 20 and 30 found it still waiting.
    expect(await asked()).toEqual({ enqueued: 1, deduplicated: 2 });
  });

  it('at MAX_ACTIONS the count stands still, and it still asks once per threshold of actions, not per append', async () => {
    for (let seq = 1; seq <= 30; seq++) await feed.publish(stored(seq));
    // The session holds its 30 newest actions: every append keeps unsummarised at 30.
    for (let seq = 31; seq <= 60; seq++) await feed.publish(stored(30, 1, scope.sessionId, seq));
    expect(await asked()).toEqual({ enqueued: 1, deduplicated: 5 });
  });

  it('after a summary the count restarts, and reaching the threshold again asks at once', async () => {
    // A summary covered seq 1-13 of this session; seq 14-23 are the next ten raw actions: the 23rd
    // reaches the threshold (its sequence number is no multiple of 10), the 20th did not yet.
    for (let seq = 14; seq <= 23; seq++) await feed.publish(stored(seq - 13, 1, scope.sessionId, seq));
    expect(await asked()).toEqual({ enqueued: 1, deduplicated: 0 });
  });

  it('a batch that jumps past the threshold asks, and sessions are counted apart', async () => {
    await feed.publish(stored(4, 4));
    await feed.publish(stored(13, 9));
    await feed.publish(stored(9, 9, 's2'));
    expect(await asked()).toEqual({ enqueued: 1, deduplicated: 0 });
    await feed.publish(stored(12, 3, 's2'));
    expect(await asked()).toEqual({ enqueued: 2, deduplicated: 0 });
  });
});
