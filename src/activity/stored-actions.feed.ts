import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { errorMessage } from '../common/text';
import { MetricsService } from '../observability/metrics.service';
import type { SessionScope } from './session-store/session-store.port';

/** Published after an actions event is in the store, with what the store said about it. */
export interface ActionsStored {
  scope: SessionScope;
  userId?: string;
  /** Actions in this event. */
  appended: number;
  /** Raw actions the session now holds after its latest summary. */
  unsummarised: number;
  lastSeq: number;
  source: string;
}

export type ActionsStoredListener = (event: ActionsStored) => void | Promise<void>;

/**
 * Downstream of the session store: listeners (summarizer, proactive engine) hear about
 * actions only once they are stored, with the store's own counts, so none of them
 * relies on the order in which activity$ subscribers run or on how fast a store writes.
 * A failing listener is logged and counted; the others still run.
 */
@Injectable()
export class StoredActionsFeed {
  private readonly logger = new Logger(StoredActionsFeed.name);
  private readonly listeners: Array<{ name: string; fn: ActionsStoredListener }> = [];
  private readonly errors: Counter<string>;

  constructor(metrics: MetricsService) {
    this.errors = metrics.counter({ name: 'stored_actions_listener_errors_total', help: 'Errors thrown by listeners of stored actions, by listener', labelNames: ['listener'] });
  }

  subscribe(name: string, fn: ActionsStoredListener): void {
    this.listeners.push({ name, fn });
  }

  /**
   * Resolves when every listener has run (listeners should hand heavy work to JOB_QUEUE).
   * Listeners that finish synchronously cost no promise: this runs on every stored event.
   */
  publish(event: ActionsStored): Promise<void> {
    let pending: Promise<void>[] | undefined;
    for (const { name, fn } of this.listeners) {
      try {
        const result = fn(event);
        if (result instanceof Promise) (pending ??= []).push(result.catch((err: unknown) => this.failed(name, event, err)));
      } catch (err) {
        this.failed(name, event, err);
      }
    }
    if (!pending) return RESOLVED;
    return pending.length === 1 ? pending[0] : Promise.all(pending).then(() => undefined);
  }

  private failed(name: string, event: ActionsStored, err: unknown): void {
    this.errors.inc({ listener: name });
    this.logger.error({ listener: name, productId: event.scope.productId, sessionId: event.scope.sessionId, err: errorMessage(err) }, 'stored-actions listener failed');
  }
}

const RESOLVED = Promise.resolve();
