import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject, Subscription } from 'rxjs';
import { MetricsService } from '../observability/metrics.service';
import type { ActivityEvent } from './activity.types';

export type ActivityConsumer = (event: ActivityEvent) => void | Promise<void>;

/**
 * The in-process bus every activity source publishes to. The Subject is private:
 * the rest of the app sees `activity$`, and should attach with `subscribe(name, fn)`,
 * which isolates failures: a consumer that throws (or rejects) is logged and counted
 * and the stream keeps flowing for everyone else.
 */
@Injectable()
export class ActivityStream implements OnModuleDestroy {
  private readonly logger = new Logger(ActivityStream.name);
  private readonly subject = new Subject<ActivityEvent>();
  private readonly consumerErrors;
  private readonly published;
  readonly activity$: Observable<ActivityEvent> = this.subject.asObservable();

  constructor(metrics: MetricsService) {
    this.consumerErrors = metrics.counter({
      name: 'activity_consumer_errors_total',
      help: 'Errors thrown by activity$ consumers, by consumer',
      labelNames: ['consumer'],
    });
    this.published = metrics.labelledCounter({
      name: 'activity_events_published_total',
      help: 'Events published to activity$, by source and type',
      labelNames: ['source', 'type'],
    });
  }

  publish(event: ActivityEvent): void {
    this.published.inc(event.source, event.type);
    this.subject.next(event);
  }

  subscribe(consumer: string, handler: ActivityConsumer): Subscription {
    return this.subject.subscribe({
      next: (event) => {
        try {
          const result = handler(event);
          if (result && typeof (result as Promise<void>).then === 'function') {
            (result as Promise<void>).catch((err: unknown) => this.failed(consumer, event, err));
          }
        } catch (err) {
          this.failed(consumer, event, err);
        }
      },
    });
  }

  private failed(consumer: string, event: ActivityEvent, err: unknown): void {
    this.consumerErrors.inc({ consumer });
    this.logger.error(
      { err, consumer, productId: event.productId, sessionId: event.sessionId, type: event.type },
      'activity consumer failed; the stream continues',
    );
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}
