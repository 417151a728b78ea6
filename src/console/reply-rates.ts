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
const REPLIES_METRIC = 'copilot_replies_total';

/**
 * Copilot replies per minute over the last half hour, for the system page's chart:
 * the `copilot_replies_total` counter (every channel and outcome) sampled every few
 * seconds, its increase added to the current minute. Per process, like the counter.
 */
@Injectable()
export class ReplyRates implements OnModuleDestroy {
  private readonly minutes = new Map<number, number>();
  private last?: number;
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

  /** Reads the counter now (also called before a chart is drawn, so it is never a sample behind). */
  async sample(now = Date.now()): Promise<void> {
    const metric = this.metrics.registry.getSingleMetric(REPLIES_METRIC) as Counter<string> | undefined;
    if (!metric) return;
    const total = (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);
    const delta = this.last === undefined ? 0 : Math.max(0, total - this.last);
    this.last = total;
    const minute = Math.floor(now / 60_000) * 60_000;
    this.minutes.set(minute, (this.minutes.get(minute) ?? 0) + delta);
    for (const key of this.minutes.keys()) if (key <= minute - MINUTES * 60_000) this.minutes.delete(key);
  }

  /** The last MINUTES minutes, oldest first, zeros included. */
  series(now = Date.now()): MinuteCount[] {
    return lastMinutes(now).map((at) => ({ at, count: this.minutes.get(at) ?? 0 }));
  }
}

/** Starts of the last MINUTES minutes, oldest first. */
export function lastMinutes(now: number): number[] {
  const current = Math.floor(now / 60_000) * 60_000;
  return Array.from({ length: MINUTES }, (_, i) => current - (MINUTES - 1 - i) * 60_000);
}
