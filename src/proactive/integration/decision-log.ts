import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { ActivityReader } from '../../activity/activity-reader.service';
import { MetricsService } from '../../observability/metrics.service';
import type { ProactiveDecision, ProactiveEngine } from '../engine';

/** Most decisions one read returns. */
export const MAX_DECISIONS_PER_READ = 100;

/**
 * Why the bot spoke (or did not): every decision is counted in
 * `proactive_decisions_total{rule,outcome}` and written as one structured log line; the
 * engine keeps them per user, bounded and age-limited. `listForUser` is the reader for
 * GET /v1/users/:userId/proactive and for operator tooling.
 */
@Injectable()
export class ProactiveDecisionLog {
  private readonly logger = new Logger('ProactiveDecision');
  private readonly counter: Counter<string>;
  private engine?: ProactiveEngine;

  constructor(
    metrics: MetricsService,
    private readonly reader: ActivityReader,
  ) {
    this.counter = metrics.counter({
      name: 'proactive_decisions_total',
      help: 'Proactive decisions by rule and outcome (sent, suppressed, failed)',
      labelNames: ['rule', 'outcome'],
    });
  }

  /** Called by the engine for every decision it logs. */
  record(d: ProactiveDecision): void {
    this.counter.inc({ rule: d.ruleId, outcome: d.outcome });
    this.logger.log(
      {
        decisionId: d.id,
        productId: d.productId,
        sessionId: d.sessionId,
        userId: d.userId,
        rule: d.ruleId,
        trigger: d.trigger,
        page: d.page,
        outcome: d.outcome,
        reason: d.reason,
        channel: d.channel,
        evidence: d.evidence.length,
      },
      `proactive ${d.outcome}${d.reason ? `/${d.reason}` : ''}`,
    );
  }

  /** Set once the engine exists (it is built with this log as its decision listener). */
  attach(engine: ProactiveEngine): void {
    this.engine = engine;
  }

  /**
   * A user's decisions, newest first, across the products they were seen in (or one
   * product). Bounded by `limit` (at most MAX_DECISIONS_PER_READ).
   */
  async listForUser(userId: string, limit = 20, productId?: string): Promise<ProactiveDecision[]> {
    if (!this.engine) return [];
    const n = Math.max(1, Math.min(MAX_DECISIONS_PER_READ, Math.floor(limit)));
    const products = productId ? [productId] : await this.productsOf(userId);
    const now = Date.now();
    const lists = await Promise.all(products.map((p) => this.engine!.recentDecisions({ productId: p, userId, sessionId: '' }, now, n)));
    return lists
      .flat()
      .sort((a, b) => b.at - a.at)
      .slice(0, n);
  }

  private async productsOf(userId: string): Promise<string[]> {
    const activity = await this.reader.getUserActivity(userId);
    return [...new Set((activity?.sessions ?? []).map((s) => s.productId))];
  }
}
