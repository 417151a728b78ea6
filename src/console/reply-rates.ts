import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '../observability/metrics.service';

export interface MinuteCount {
  /** Epoch ms of the minute's start. */
  at: number;
  count: number;
}

const MINUTES = 30;
const SAMPLE_MS = 5_000;
/** What is charted: every copilot reply, and every nudge the proactive engine sent (its decision counter). */
const SERIES = {
  replies: { metric: 'copilot_replies_total', keep: () => true },
  nudges: { metric: 'proactive_decisions_total', keep: (labels: Record<string, unknown>) => labels.outcome === 'sent' },
} as const;
export type RateSeries = keyof typeof SERIES;

/**
 * Replies and nudges per minute over the last half hour, for the system page's chart:
 * `copilot_replies_total` (every channel and outcome) and `proactive_decisions_total`
 * (outcome sent) sampled every few seconds, each increase added to the current minute.
 * Per process, like the counters.
 */
@Injectable()
export class ReplyRates implements OnModuleDestroy {
  private readonly minutes: Record<RateSeries, Map<number, number>> = { replies: new Map(), nudges: new Map() };
  private readonly last: Partial<Record<RateSeries, number>> = {};
  private timer?: NodeJS.Timeout;

  constructor(private readonly metrics: MetricsService) {}

  start(): void {
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the counters now (also called before a chart is drawn, so it is never a sample behind). */
  async sample(now = Date.now()): Promise<void> {
    const minute = Math.floor(now / 60_000) * 60_000;
    for (const name of Object.keys(SERIES) as RateSeries[]) {
      const { metric, keep } = SERIES[name];
      const counter = this.metrics.registry.getSingleMetric(metric) as Counter<string> | undefined;
      if (!counter) continue;
      const total = (await counter.get()).values.filter((v) => keep(v.labels)).reduce((sum, v) => sum + v.value, 0);
      const previous = this.last[name];
      this.last[name] = total;
      const delta = previous === undefined ? 0 : Math.max(0, total - previous);
      const minutes = this.minutes[name];
      minutes.set(minute, (minutes.get(minute) ?? 0) + delta);
      for (const key of minutes.keys()) if (key <= minute - MINUTES * 60_000) minutes.delete(key);
    }
  }

  /** The last MINUTES minutes of one series, oldest first, zeros included. */
  series(name: RateSeries, now = Date.now()): MinuteCount[] {
    return lastMinutes(now).map((at) => ({ at, count: this.minutes[name].get(at) ?? 0 }));
  }
}

/** Starts of the last MINUTES minutes, oldest first. */
export function lastMinutes(now: number): number[] {
  const current = Math.floor(now / 60_000) * 60_000;
  return Array.from({ length: MINUTES }, (_, i) => current - (MINUTES - 1 - i) * 60_000);
}
