import { Injectable } from '@nestjs/common';
import { MetricsService } from '../observability/metrics.service';
import type { ActivitySource } from './activity.types';

export interface SourceCounts {
  ingested: number;
  rejected: number;
  /** Epoch ms. */
  lastEventAt?: number;
  lastRejectedAt?: number;
}

/**
 * Counts what each source accepted and rejected (by reason), for /healthz totals
 * and the Prometheus counters `activity_events_ingested_total` / `_rejected_total`.
 */
@Injectable()
export class IngestStats {
  private ingestedTotal = 0;
  /** Per source (a handful: the configured sources and 'store'), for the operator console. */
  private readonly perSource = new Map<string, SourceCounts>();
  private rejectedTotal = 0;
  private readonly ingested;
  private readonly rejected;

  constructor(metrics: MetricsService) {
    this.ingested = metrics.labelledCounter({
      name: 'activity_events_ingested_total',
      help: 'Activity events accepted, by source and type',
      labelNames: ['source', 'type'],
    });
    this.rejected = metrics.labelledCounter({
      name: 'activity_events_rejected_total',
      help: 'Activity events or requests rejected, by source and reason',
      labelNames: ['source', 'reason'],
    });
  }

  recordIngested(source: ActivitySource, type: string, n = 1): void {
    this.ingestedTotal += n;
    this.ingested.inc(source, type, n);
    const c = this.countsOf(source);
    c.ingested += n;
    c.lastEventAt = Date.now();
  }

  recordRejected(source: ActivitySource | 'store', reason: string, n = 1): void {
    this.rejectedTotal += n;
    this.rejected.inc(source, reason, n);
    const c = this.countsOf(source);
    c.rejected += n;
    c.lastRejectedAt = Date.now();
  }

  totals(): { ingested: number; rejected: number } {
    return { ingested: this.ingestedTotal, rejected: this.rejectedTotal };
  }

  /** This process's counts per source since start, with when each last accepted or rejected an event. */
  bySource(): Record<string, SourceCounts> {
    return Object.fromEntries([...this.perSource].map(([k, v]) => [k, { ...v }]));
  }

  private countsOf(source: string): SourceCounts {
    let c = this.perSource.get(source);
    if (!c) this.perSource.set(source, (c = { ingested: 0, rejected: 0 }));
    return c;
  }
}
