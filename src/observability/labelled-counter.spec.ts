import { MetricsService } from './metrics.service';

describe('LabelledCounter (MetricsService.labelledCounter)', () => {
  it('renders the same series and values prom-client would, two labels and one', async () => {
    const metrics = new MetricsService();
    const pair = metrics.labelledCounter({ name: 'things_total', help: 'Things', labelNames: ['kind', 'outcome'] });
    const single = metrics.labelledCounter({ name: 'routes_total', help: 'Routes', labelNames: ['route'] });
    pair.inc('a', 'ok');
    pair.inc('a', 'ok', 4);
    pair.inc('a', 'failed');
    pair.inc('b', 'ok', 2);
    single.inc('/x');
    single.inc('/x');
    const text = await metrics.render();
    expect(text).toContain('# TYPE things_total counter');
    expect(text).toContain('things_total{kind="a",outcome="ok"} 5');
    expect(text).toContain('things_total{kind="a",outcome="failed"} 1');
    expect(text).toContain('things_total{kind="b",outcome="ok"} 2');
    expect(text).toContain('routes_total{route="/x"} 2');
  });

  it('keeps counting across reads (the totals are cumulative, not reset by a scrape)', async () => {
    const metrics = new MetricsService();
    const c = metrics.labelledCounter({ name: 'reads_total', help: 'Reads', labelNames: ['k'] });
    c.inc('x');
    expect(await metrics.render()).toContain('reads_total{k="x"} 1');
    c.inc('x', '', 2);
    expect(await metrics.render()).toContain('reads_total{k="x"} 3');
    expect((await metrics.registry.getSingleMetric('reads_total')!.get()).values).toEqual([{ value: 3, labels: { k: 'x' } }]);
  });

  it('one instance per name; a plain counter of the same name is refused either way round', () => {
    const metrics = new MetricsService();
    const a = metrics.labelledCounter({ name: 'shared_total', help: 'Shared', labelNames: ['k'] });
    expect(metrics.labelledCounter({ name: 'shared_total', help: 'Shared', labelNames: ['k'] })).toBe(a);
    expect(() => metrics.counter({ name: 'shared_total', help: 'Shared', labelNames: ['k'] })).toThrow(/labelled counter/);
    metrics.counter({ name: 'plain_total', help: 'Plain', labelNames: ['k'] });
    expect(() => metrics.labelledCounter({ name: 'plain_total', help: 'Plain', labelNames: ['k'] })).toThrow(/plain metric/);
  });
});
