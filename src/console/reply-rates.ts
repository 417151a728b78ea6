import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { errorMessage } from '../common/text';
import { MetricsService } from '../observability/metrics.service';
import { KEY_VALUE_STORE } from '../state/state.constants';
import type { KeyValueStore } from '../state/key-value-store.port';

export interface MinuteCount {
  /** Epoch ms of the minute's start. */
  at: number;
  count: number;
}

const MINUTES = 30;
const SAMPLE_MS = 5_000;
/** A bucket outlives the chart's window by a little, so the oldest minute shown is still whole. */
const BUCKET_TTL_SECONDS = (MINUTES + 2) * 60;
/** What is charted: every copilot reply, and every nudge the proactive engine sent (its decision counter). */
const SERIES = {
  replies: { metric: 'copilot_replies_total', keep: () => true },
  nudges: { metric: 'proactive_decisions_total', keep: (labels: Record<string, unknown>) => labels.outcome === 'sent' },
} as const;
export type RateSeries = keyof typeof SERIES;

const bucketKey = (name: RateSeries, minute: number) => `console:rate:${name}:${minute}`;

/**
 * Replies and nudges per minute over the last half hour, for the system page's chart:
 * `copilot_replies_total` (every channel and outcome) and `proactive_decisions_total`
 * (outcome sent) sampled every few seconds by every replica, each increase added to the
 * current minute's counter in KEY_VALUE_STORE. With Redis that is one count for the
 * deployment: a web replica's page shows the replies its worker replicas sent.
 */
@Injectable()
export class ReplyRates implements OnModuleDestroy {
  private readonly logger = new Logger(ReplyRates.name);
  private readonly last: Partial<Record<RateSeries, number>> = {};
  /** Increases not yet added to a bucket (the store was unreachable): added with the next sample. */
  private readonly unsaved: Record<RateSeries, number> = { replies: 0, nudges: 0 };
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
  ) {}

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

  /** Reads the counters now (also called before a chart is drawn, so this replica is never a sample behind). */
  sample(now = Date.now()): Promise<void> {
    // One at a time: two overlapping samples would both add the same increase.
    this.sampling ??= this.sampleOnce(now).finally(() => (this.sampling = undefined));
    return this.sampling;
  }

  /** The last MINUTES minutes of one series, oldest first, zeros included. */
  async series(name: RateSeries, now = Date.now()): Promise<MinuteCount[]> {
    const minutes = lastMinutes(now);
    try {
      const counts = await Promise.all(minutes.map((at) => this.kv.get<number>(bucketKey(name, at))));
      return minutes.map((at, i) => ({ at, count: typeof counts[i] === 'number' ? counts[i] : 0 }));
    } catch (err) {
      // The page still renders (the store's own panel says it is down); the chart is empty meanwhile.
      this.logger.debug({ err: errorMessage(err) }, 'reply rates unreadable');
      return minutes.map((at) => ({ at, count: 0 }));
    }
  }

  private async sampleOnce(now: number): Promise<void> {
    const minute = Math.floor(now / 60_000) * 60_000;
    for (const name of Object.keys(SERIES) as RateSeries[]) {
      const { metric, keep } = SERIES[name];
      const counter = this.metrics.registry.getSingleMetric(metric) as Counter<string> | undefined;
      if (!counter) continue;
      const total = (await counter.get()).values.filter((v) => keep(v.labels)).reduce((sum, v) => sum + v.value, 0);
      const previous = this.last[name];
      this.last[name] = total;
      const delta = (previous === undefined ? 0 : Math.max(0, total - previous)) + this.unsaved[name];
      if (delta === 0) continue;
      try {
        await this.kv.increment(bucketKey(name, minute), delta, BUCKET_TTL_SECONDS);
        this.unsaved[name] = 0;
      } catch (err) {
        // An increment that timed out after Redis applied it is added twice: a chart may overcount, never lose a reply.
        this.unsaved[name] = delta;
        this.logger.debug({ err: errorMessage(err), series: name }, 'reply rates not saved; added with the next sample');
      }
    }
  }
}

/** Starts of the last MINUTES minutes, oldest first. */
export function lastMinutes(now: number): number[] {
  const current = Math.floor(now / 60_000) * 60_000;
  return Array.from({ length: MINUTES }, (_, i) => current - (MINUTES - 1 - i) * 60_000);
}
