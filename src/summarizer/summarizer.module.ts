import { DynamicModule, Module } from '@nestjs/common';
import { ActivityModule } from '../activity/activity.module';
import type { Env } from '../config/env.schema';
import { SummaryBudget } from './summary-budget';
import { SummaryScheduler } from './summary-scheduler';
import { SummaryWorker } from './summary.worker';

/**
 * Rolling per-session summaries (SUMMARIZER=llm): scheduled from stored actions, written
 * by summary jobs on JOB_QUEUE. SUMMARIZER=none mounts nothing: raw actions are only
 * trimmed by the store's lookback and cap.
 */
@Module({})
export class SummarizerModule {
  static register(driver: Env['SUMMARIZER']): DynamicModule {
    if (driver === 'none') return { module: SummarizerModule };
    return { module: SummarizerModule, imports: [ActivityModule], providers: [SummaryScheduler, SummaryWorker, SummaryBudget] };
  }
}
