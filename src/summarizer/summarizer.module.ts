import { Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { SESSION_STORE } from '../activity/activity.constants';
import { ActivityModule } from '../activity/activity.module';
import { ActivityStream } from '../activity/activity.stream';
import type { SessionStore } from '../activity/session-store/session-store.port';
import { storeConfig, summarizerConfig, type ConfigOf } from '../config/config.namespaces';
import { MetricsService } from '../observability/metrics.service';
import { LLM_PROVIDER } from '../llm/llm.constants';
import { LlmModule } from '../llm/llm.module';
import type { LlmProvider } from '../llm/llm.port';
import { LlmSummarizer } from './llm.summarizer';
import { NoneSummarizer } from './none.summarizer';
import { SUMMARIZER } from './summarizer.constants';
import type { Summarizer } from './summarizer.port';
import { loadSummaryTemplate } from './summary.prompt';

/** Rolling per-session summaries from activity$ (SUMMARIZER=llm), or nothing (SUMMARIZER=none). */
@Module({
  imports: [ActivityModule, LlmModule],
  providers: [
    {
      provide: SUMMARIZER,
      inject: [summarizerConfig.KEY, storeConfig.KEY, SESSION_STORE, LLM_PROVIDER, MetricsService],
      useFactory: (
        cfg: ConfigOf<typeof summarizerConfig>,
        store: ConfigOf<typeof storeConfig>,
        sessions: SessionStore,
        llm: LlmProvider,
        metrics: MetricsService,
      ): Summarizer => {
        switch (cfg.driver) {
          case 'none':
            return new NoneSummarizer();
          case 'llm':
            return new LlmSummarizer(
              sessions,
              llm,
              {
                threshold: cfg.threshold,
                template: loadSummaryTemplate(cfg.promptFile),
                retryBaseMs: cfg.retryBaseMs,
                retryMaxMs: cfg.retryMaxMs,
                maxTrackedSessions: store.maxSessions,
              },
              metrics,
            );
          default:
            throw new Error(`Unknown SUMMARIZER "${String(cfg.driver)}" (expected llm or none)`);
        }
      },
    },
  ],
  exports: [SUMMARIZER],
})
export class SummarizerModule implements OnModuleInit, OnApplicationShutdown {
  private subscription?: Subscription;

  constructor(
    @Inject(SUMMARIZER) private readonly summarizer: Summarizer,
    private readonly stream: ActivityStream,
  ) {}

  onModuleInit(): void {
    // ActivityModule initialises first (imported), so SessionStoreFeeder is already subscribed ahead of us.
    if (this.summarizer.name !== 'none') this.subscription = this.stream.subscribe('summarizer', (event) => this.summarizer.observe(event));
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.summarizer.close();
  }
}
