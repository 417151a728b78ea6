import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { ActivityIngestService } from '../activity/activity-ingest.service';
import { ActivityReader } from '../activity/activity-reader.service';
import { clip } from '../common/text';
import { summarizerConfig, type ConfigOf } from '../config/config.namespaces';
import { SUMMARY_LLM_PROVIDER } from '../llm/llm.constants';
import { LlmUnavailableError, type LlmProvider } from '../llm/llm.port';
import { MetricsService } from '../observability/metrics.service';
import { RetryLaterError, type JobContext, type JobQueue } from '../queue/job-queue.port';
import { JOB_QUEUE } from '../queue/queue.constants';
import { SummaryBudget } from './summary-budget';
import { SUMMARY_JOB, type SummaryJob } from './summarizer.constants';
import { SUMMARY_PROMPT_VERSION, SUMMARY_SYSTEM_PROMPT, buildSummaryMessage, loadSummaryTemplate, summaryGrounding } from './summary.prompt';

const MAX_SUMMARY_CHARS = 2_000;
const SUMMARY_MAX_TOKENS = 300;

/**
 * Summary job: the previous summary plus the raw actions the store holds now → the
 * model → stored with `coversThroughSeq`, so exactly those actions are dropped
 * (anything that arrived during the call stays). A failed call throws, keeping the raw
 * actions, and the queue retries with backoff.
 */
@Injectable()
export class SummaryWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SummaryWorker.name);
  private readonly abort = new AbortController();
  private readonly outcomes: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly template: string;

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly reader: ActivityReader,
    private readonly ingest: ActivityIngestService,
    @Inject(SUMMARY_LLM_PROVIDER) private readonly llm: LlmProvider,
    private readonly budget: SummaryBudget,
    @Inject(summarizerConfig.KEY) private readonly cfg: ConfigOf<typeof summarizerConfig>,
    metrics: MetricsService,
  ) {
    // Already checked by config validation, so a bad file never gets this far.
    this.template = loadSummaryTemplate(cfg.promptFile);
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

  onModuleInit(): void {
    this.queue.process<SummaryJob>(SUMMARY_JOB, (job, ctx) => this.run(job, ctx), { concurrency: this.cfg.concurrency });
  }

  onApplicationShutdown(): void {
    this.abort.abort();
  }

  async run(job: SummaryJob, ctx: JobContext): Promise<void> {
    const startedAt = process.hrtime.bigint();
    const finish = (outcome: string) => {
      this.outcomes.inc({ outcome });
      this.duration.observe({ outcome }, Number(process.hrtime.bigint() - startedAt) / 1e9);
    };
    const scope = { productId: job.productId, sessionId: job.sessionId };
    const session = await this.reader.getSessionContext(scope);
    if (!session || session.actions.length === 0) return finish('empty');
    const covered = session.actions;
    try {
      await this.budget.take(this.abort.signal);
      const response = await this.llm.complete({
        system: SUMMARY_SYSTEM_PROMPT,
        messages: [{ role: 'user', content: buildSummaryMessage(this.template, session.summary?.text, covered) }],
        grounding: summaryGrounding(session.summary?.text, covered),
        maxTokens: SUMMARY_MAX_TOKENS,
        temperature: this.cfg.temperature,
        purpose: 'summarizer',
        promptVersion: SUMMARY_PROMPT_VERSION,
        signal: this.abort.signal,
      });
      const text = clip(response.text.trim(), MAX_SUMMARY_CHARS);
      if (!text) throw new LlmUnavailableError('unknown', 'the model returned an empty summary');
      const applied = await this.ingest.applySummary(scope, {
        text,
        coversThroughSeq: covered[covered.length - 1].seq,
        generation: session.generation,
        expectedRevision: session.summaryRevision,
      });
      // Not applied: the session started over, or another summary (the connector's) landed meanwhile.
      finish(applied ? 'success' : 'superseded');
    } catch (err) {
      finish('failure');
      const reason = err instanceof LlmUnavailableError ? err.reason : 'unknown';
      this.logger.warn(
        { productId: job.productId, sessionId: job.sessionId, reason, attempt: ctx.attempt, attempts: ctx.attempts },
        ctx.attempt < ctx.attempts ? 'summary failed; raw actions kept, retrying later' : 'summary failed on its last attempt; raw actions kept',
      );
      throw err;
    }
    if (ctx.attempt < ctx.attempts) {
      // Actions stored during the call asked for this job while it ran, and were refused as its
      // duplicate: when they are enough for a summary, the job runs again on the session as it is now.
      // A failed read only skips this: the summary is stored, and the scheduler asks again as actions come.
      const now = await this.reader.getSessionContext(scope).catch(() => null);
      if (now && now.actions.length >= this.cfg.threshold) throw new RetryLaterError('enough actions arrived during the summary for another', this.cfg.retryBaseMs);
    }
  }
}
