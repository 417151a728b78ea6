import { Inject, Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { summarizerConfig, type ConfigOf } from '../config/config.namespaces';
import { MetricsService } from '../observability/metrics.service';
import type { KeyValueStore } from '../state/key-value-store.port';
import { KEY_VALUE_STORE } from '../state/state.constants';

const MINUTE_MS = 60_000;

/**
 * At most SUMMARY_BUDGET_PER_MINUTE summary calls per minute, for the whole deployment
 * (the counter lives in KEY_VALUE_STORE). A job over budget waits for the next minute
 * holding its concurrency slot, so a burst (500 sessions in one PostHog batch) becomes a
 * steady trickle instead of a rate-limit storm, and chat replies keep the provider's quota.
 */
@Injectable()
export class SummaryBudget {
  private readonly waits: Counter<string>;

  constructor(
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    @Inject(summarizerConfig.KEY) private readonly cfg: ConfigOf<typeof summarizerConfig>,
    metrics: MetricsService,
  ) {
    this.waits = metrics.counter({ name: 'summary_budget_waits_total', help: 'Summary jobs that waited for the next minute because SUMMARY_BUDGET_PER_MINUTE was spent' });
  }

  /** Resolves when this call may go ahead; rejects when `signal` aborts (shutdown). */
  async take(signal: AbortSignal, now: () => number = Date.now): Promise<void> {
    for (;;) {
      if (signal.aborted) throw new Error('summary budget wait aborted');
      const minute = Math.floor(now() / MINUTE_MS);
      const used = await this.kv.increment(`summary-budget:${minute}`, 1, 120);
      if (used <= this.cfg.budgetPerMinute) return;
      this.waits.inc();
      // Spread the waiters over the first second of the next minute.
      const waitMs = (minute + 1) * MINUTE_MS - now() + Math.floor(Math.random() * 1_000);
      await sleep(waitMs, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
