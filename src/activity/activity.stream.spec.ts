import { MetricsService } from '../observability/metrics.service';
import { ActivityStream } from './activity.stream';
import type { ActivityEvent } from './activity.types';

const event = (sessionId: string): ActivityEvent => ({
  type: 'actions', productId: 'p', sessionId, actions: [], count: 0, forwardedAt: 0, source: 'test',
});

describe('ActivityStream', () => {
  it('a consumer that throws or rejects is counted and never stops the stream for others', async () => {
    const metrics = new MetricsService();
    const stream = new ActivityStream(metrics);
    const seen: string[] = [];
    stream.subscribe('throws', () => {
      throw new Error('boom');
    });
    stream.subscribe('rejects', async () => {
      throw new Error('async boom');
    });
    stream.subscribe('healthy', (e) => {
      seen.push(e.sessionId!);
    });
    stream.publish(event('a'));
    stream.publish(event('b'));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['a', 'b']);
    const text = await metrics.render();
    expect(text).toMatch(/activity_consumer_errors_total\{consumer="throws"\} 2/);
    expect(text).toMatch(/activity_consumer_errors_total\{consumer="rejects"\} 2/);
  });

  it('exposes activity$ as a read-only observable', () => {
    const stream = new ActivityStream(new MetricsService());
    const seen: ActivityEvent[] = [];
    stream.activity$.subscribe((e) => seen.push(e));
    stream.publish(event('x'));
    expect(seen).toHaveLength(1);
    expect((stream.activity$ as unknown as { next?: unknown }).next).toBeUndefined();
  });
});
