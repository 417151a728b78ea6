import type { Observable } from 'rxjs';
import type { ActivityEvent } from '../activity/activity.types';
import type { SessionScope } from '../activity/session-store/session-store.port';

export interface ProducedSummary extends SessionScope {
  text: string;
  coversThroughSeq: number;
}

/** SUMMARIZER port: fed every activity$ event; keeps each session's rolling summary up to date. */
export interface Summarizer {
  readonly name: string;
  observe(event: ActivityEvent): void;
  /** Every summary stored by this summarizer. */
  readonly summaries$: Observable<ProducedSummary>;
  /** Stops timers and abandons in-flight calls (their results are not applied). */
  close(): Promise<void>;
}
