import { Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Counter, Histogram } from 'prom-client';
import { Subject } from 'rxjs';
import type { ActivityEvent } from '../activity/activity.types';
import type { SessionScope, SessionStore } from '../activity/session-store/session-store.port';
import type { MetricsService } from '../observability/metrics.service';
import { LlmUnavailableError, type LlmProvider } from '../llm/llm.port';
import { SUMMARY_PROMPT_VERSION, SUMMARY_SYSTEM_PROMPT, buildSummaryMessage } from './summary.prompt';
import type { ProducedSummary, Summarizer } from './summarizer.port';

export interface LlmSummarizerOptions {
  /** New actions in a session (since its last summary) that trigger the next summary. */
  threshold: number;
  /** User-message template (must contain `{actions}`). */
  template: string;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Sessions whose counters we track at once; the least recently active are forgotten first. */
  maxTrackedSessions?: number;
  maxSummaryChars?: number;
  maxTokens?: number;
}

/** Per-session bookkeeping; only touched from the event loop, so no locks are needed. */
interface SessionState {
  scope: SessionScope;
  /** Actions observed since the last summary was started (or stored by the connector). */
  pending: number;
  running: boolean;
  /** Set while a run is queued for the next tick, so bursts of events schedule one run. */
  scheduled: boolean;
  retryTimer?: NodeJS.Timeout;
  failures: number;
  /** Bumped by connector summaries; a run that started under an older epoch is discarded. */
  epoch: number;
}

/**
 * Rolling summaries by LLM. After `threshold` new actions in a session it summarizes
 * the previous summary plus the raw actions the store holds, and stores the result
 * with `coversThroughSeq` so the store drops exactly those actions (anything that
 * arrived during the call stays). One run per session at a time, in arrival order;
 * sessions never wait for each other. A failed run keeps the raw actions and is
 * retried by one backoff timer per session, not by every new event.
 */
export class LlmSummarizer implements Summarizer {
  readonly name = 'llm';
  private readonly logger = new Logger(LlmSummarizer.name);
  private readonly sessions: LRUCache<string, SessionState>;
  private readonly produced = new Subject<ProducedSummary>();
  readonly summaries$ = this.produced.asObservable();
  private readonly abort = new AbortController();
  private readonly outcomes: Counter<string>;
  private readonly duration: Histogram<string>;

  constructor(
    private readonly store: SessionStore,
    private readonly llm: LlmProvider,
    private readonly opts: LlmSummarizerOptions,
    metrics: MetricsService,
  ) {
    this.sessions = new LRUCache<string, SessionState>({
      max: opts.maxTrackedSessions ?? 50_000,
      // A session pushed out of the cache must not leave a timer behind.
      dispose: (state) => {
        if (state.retryTimer) clearTimeout(state.retryTimer);
      },
    });
    this.outcomes = metrics.counter({
      name: 'summaries_total',
      help: 'Rolling summary runs, by outcome (success, failure, superseded, empty)',
      labelNames: ['outcome'],
    });
    this.duration = metrics.histogram({
      name: 'summary_duration_seconds',
      help: 'Time to produce and store one rolling summary (LLM call included), by outcome',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
    });
  }

  observe(event: ActivityEvent): void {
    if (this.abort.signal.aborted || !event.sessionId) return;
    const scope = { productId: event.productId, sessionId: event.sessionId };
    const key = keyOf(scope);
    if (event.type === 'summary') {
      // The connector summarized this session itself (SessionStoreFeeder applied it): start counting afresh.
      const state = this.sessions.get(key);
      if (state) {
        state.pending = 0;
        state.epoch++;
      }
      return;
    }
    const state = this.sessions.get(key) ?? this.track(key, scope);
    state.pending += event.actions.length;
    this.maybeSchedule(state);
  }

  async close(): Promise<void> {
    this.abort.abort();
    this.sessions.clear();
    this.produced.complete();
  }

  private track(key: string, scope: SessionScope): SessionState {
    const state: SessionState = { scope, pending: 0, running: false, scheduled: false, failures: 0, epoch: 0 };
    this.sessions.set(key, state);
    return state;
  }

  private maybeSchedule(state: SessionState): void {
    if (state.running || state.scheduled || state.retryTimer || state.pending < this.opts.threshold) return;
    state.scheduled = true;
    // Next macrotask: SessionStoreFeeder (subscribed first) has appended this event by then.
    setImmediate(() => {
      state.scheduled = false;
      void this.run(state);
    });
  }

  private async run(state: SessionState): Promise<void> {
    if (this.abort.signal.aborted || state.running) return;
    state.running = true;
    state.pending = 0;
    const epoch = state.epoch;
    const startedAt = process.hrtime.bigint();
    const finish = (outcome: string) => {
      this.outcomes.inc({ outcome });
      this.duration.observe({ outcome }, Number(process.hrtime.bigint() - startedAt) / 1e9);
    };
    try {
      const ctx = await this.store.getSessionContext(state.scope);
      if (!ctx || ctx.actions.length === 0) {
        finish('empty');
        return;
      }
      const covered = ctx.actions;
      const response = await this.llm.complete({
        system: SUMMARY_SYSTEM_PROMPT,
        messages: [{ role: 'user', content: buildSummaryMessage(this.opts.template, ctx.summary?.text, covered) }],
        maxTokens: this.opts.maxTokens ?? 300,
        temperature: 0.2,
        purpose: 'summarizer',
        promptVersion: SUMMARY_PROMPT_VERSION,
        signal: this.abort.signal,
      });
      const text = clip(response.text.trim(), this.opts.maxSummaryChars ?? 2_000);
      if (!text) throw new LlmUnavailableError('unknown', 'the model returned an empty summary');
      if (this.abort.signal.aborted) return;
      if (state.epoch !== epoch) {
        // A connector summary landed meanwhile; it is authoritative and ours was built on what it replaced.
        finish('superseded');
        return;
      }
      const coversThroughSeq = covered[covered.length - 1].seq;
      const applied = await this.store.applySummary(state.scope, { text, coversThroughSeq, generation: ctx.generation });
      if (!applied) {
        // The session started over (new owner, or expired) while the model was writing.
        finish('superseded');
        return;
      }
      state.failures = 0;
      finish('success');
      this.produced.next({ ...state.scope, text, coversThroughSeq });
    } catch (err) {
      if (this.abort.signal.aborted) return;
      finish('failure');
      this.scheduleRetry(state, err);
    } finally {
      state.running = false;
      if (!state.retryTimer) this.maybeSchedule(state);
    }
  }

  private scheduleRetry(state: SessionState, err: unknown): void {
    state.failures++;
    const delayMs = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** (state.failures - 1));
    const reason = err instanceof LlmUnavailableError ? err.reason : 'unknown';
    this.logger.warn(
      { productId: state.scope.productId, sessionId: state.scope.sessionId, reason, failures: state.failures, retryInMs: delayMs },
      'summary failed; raw actions kept, retrying later',
    );
    if (state.retryTimer) clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => {
      state.retryTimer = undefined;
      if (this.sessions.get(keyOf(state.scope)) === state) void this.run(state);
    }, delayMs);
    // A pending retry must not keep a shutting-down process alive.
    state.retryTimer.unref();
  }
}

function keyOf(scope: SessionScope): string {
  return `${scope.productId}\u0000${scope.sessionId}`;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
