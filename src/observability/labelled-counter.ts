import { Counter, type Registry } from 'prom-client';

/**
 * A counter with one or two labels for the per-request paths. prom-client hashes and
 * validates the label object on every `inc` (its `labels()` children do too), ~2-3 µs
 * each on the ingest and hook paths, which count several things per request. This one
 * adds to plain numbers in nested maps and hands the totals to its prom-client counter
 * when the registry is read (a scrape, /metrics, a test), so what Prometheus sees is
 * the same series with the same values.
 *
 * Owns its prom-client counter: MetricsService hands out one instance per name, so two
 * callers counting under the same name add to the same totals.
 */
export class LabelledCounter {
  private readonly totals = new Map<string, Map<string, number>>();
  private readonly counter: Counter<string>;
  private readonly labelNames: readonly [string] | readonly [string, string];

  constructor(opts: { name: string; help: string; labelNames: readonly [string] | readonly [string, string] }, registry: Registry) {
    this.labelNames = opts.labelNames;
    this.counter = new Counter({ name: opts.name, help: opts.help, labelNames: [...opts.labelNames], registers: [registry], collect: () => this.flush() });
  }

  /** `second` is ignored for a one-label counter. */
  inc(first: string, second = '', n = 1): void {
    let inner = this.totals.get(first);
    if (!inner) this.totals.set(first, (inner = new Map()));
    inner.set(second, (inner.get(second) ?? 0) + n);
  }

  /** Called by prom-client's collect when the registry is read: the counter is rewritten from the totals. */
  flush(): void {
    this.counter.reset();
    const [a, b] = this.labelNames;
    for (const [first, inner] of this.totals) {
      for (const [second, n] of inner) this.counter.inc(b === undefined ? { [a]: first } : { [a]: first, [b]: second }, n);
    }
  }
}
