import { MetricsService } from '../observability/metrics.service';
import { StoredActionsFeed, type ActionsStored } from './stored-actions.feed';

const event: ActionsStored = { scope: { productId: 'p', sessionId: 's' }, userId: 'u', appended: 1, unsummarised: 1, lastSeq: 1, source: 'push' };

describe('StoredActionsFeed', () => {
  it('runs every listener, sync and async, and resolves once the async ones are done', async () => {
    const feed = new StoredActionsFeed(new MetricsService());
    const heard: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    feed.subscribe('sync', (e) => void heard.push(`sync:${e.lastSeq}`));
    feed.subscribe('async', async (e) => {
      await gate;
      heard.push(`async:${e.lastSeq}`);
    });
    let settled = false;
    const published = feed.publish(event).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(heard).toEqual(['sync:1']);
    expect(settled).toBe(false);
    release();
    await published;
    expect(heard).toEqual(['sync:1', 'async:1']);
  });

  it('counts a listener that throws or rejects, and the others still run', async () => {
    const metrics = new MetricsService();
    const feed = new StoredActionsFeed(metrics);
    const heard: string[] = [];
    feed.subscribe('throws', () => {
      throw new Error('sync failure');
    });
    feed.subscribe('rejects', async () => {
      throw new Error('async failure');
    });
    feed.subscribe('fine', () => void heard.push('fine'));
    await expect(feed.publish(event)).resolves.toBeUndefined();
    expect(heard).toEqual(['fine']);
    const text = await metrics.registry.metrics();
    expect(text).toContain('stored_actions_listener_errors_total{listener="throws"} 1');
    expect(text).toContain('stored_actions_listener_errors_total{listener="rejects"} 1');
  });

  it('has run every synchronous listener by the time publish returns', () => {
    const feed = new StoredActionsFeed(new MetricsService());
    const heard: number[] = [];
    feed.subscribe('first', (e) => void heard.push(e.lastSeq));
    feed.subscribe('second', (e) => void heard.push(e.lastSeq * 10));
    void feed.publish(event);
    expect(heard).toEqual([1, 10]);
  });
});
