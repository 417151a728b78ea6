import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LabelledCounter } from './labelled-counter';

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
  private readonly labelled = new Map<string, LabelledCounter>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  counter(opts: CounterOpts): Counter<string> {
    // Its prom-client counter is rewritten from its own totals when read: an inc here would be lost.
    if (this.labelled.has(opts.name)) throw new Error(`metric ${opts.name} is a labelled counter; ask labelledCounter for it`);
    const existing = this.registry.getSingleMetric(opts.name);
    if (existing) return existing as Counter<string>;
    return new Counter({ ...opts, labelNames: [...(opts.labelNames ?? [])], registers: [this.registry] });
  }

  /**
   * A counter with one or two labels for per-request paths (see LabelledCounter): the same
   * series as `counter`, counted without prom-client's per-increment label hashing.
   */
  labelledCounter(opts: CounterOpts & { labelNames: readonly [string] | readonly [string, string] }): LabelledCounter {
    const existing = this.labelled.get(opts.name);
    if (existing) return existing;
    if (this.registry.getSingleMetric(opts.name)) throw new Error(`metric ${opts.name} already exists as a plain metric`);
    const fast = new LabelledCounter(opts, this.registry);
    this.labelled.set(opts.name, fast);
    return fast;
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
