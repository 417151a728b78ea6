import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

type CounterOpts = { name: string; help: string; labelNames?: readonly string[] };
type HistogramOpts = CounterOpts & { buckets?: number[] };

/**
 * One Prometheus registry per application instance (not prom-client's global one),
 * so several apps can run in one process (tests) without name clashes. Metric
 * factories are idempotent: asking twice for the same name returns the same metric.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  counter(opts: CounterOpts): Counter<string> {
    const existing = this.registry.getSingleMetric(opts.name);
    if (existing) return existing as Counter<string>;
    return new Counter({ ...opts, labelNames: [...(opts.labelNames ?? [])], registers: [this.registry] });
  }

  gauge(opts: CounterOpts & { collect?: (this: Gauge<string>) => void | Promise<void> }): Gauge<string> {
    const existing = this.registry.getSingleMetric(opts.name);
    if (existing) return existing as Gauge<string>;
    return new Gauge({ ...opts, labelNames: [...(opts.labelNames ?? [])], registers: [this.registry] });
  }

  histogram(opts: HistogramOpts): Histogram<string> {
    const existing = this.registry.getSingleMetric(opts.name);
    if (existing) return existing as Histogram<string>;
    return new Histogram({ ...opts, labelNames: [...(opts.labelNames ?? [])], registers: [this.registry] });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
