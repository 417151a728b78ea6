import { Injectable } from '@nestjs/common';
import { MetricsService } from '../observability/metrics.service';
import type { ActivitySource } from './activity.types';

/**
 * Counts what each source accepted and rejected (by reason), for /healthz totals
 * and the Prometheus counters `activity_events_ingested_total` / `_rejected_total`.
 */
@Injectable()
export class IngestStats {
  private ingestedTotal = 0;
  private rejectedTotal = 0;
  private readonly ingested;
  private readonly rejected;

  constructor(metrics: MetricsService) {
    this.ingested = metrics.counter({
      name: 'activity_events_ingested_total',
      help: 'Activity events accepted, by source and type',
      labelNames: ['source', 'type'],
    });
    this.rejected = metrics.counter({
      name: 'activity_events_rejected_total',
      help: 'Activity events or requests rejected, by source and reason',
      labelNames: ['source', 'reason'],
    });
  }

  recordIngested(source: ActivitySource, type: string, n = 1): void {
    this.ingestedTotal += n;
    this.ingested.inc({ source, type }, n);
  }

  recordRejected(source: ActivitySource | 'store', reason: string, n = 1): void {
    this.rejectedTotal += n;
    this.rejected.inc({ source, reason }, n);
  }

  totals(): { ingested: number; rejected: number } {
    return { ingested: this.ingestedTotal, rejected: this.rejectedTotal };
  }
}
