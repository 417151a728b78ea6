import { BeforeApplicationShutdown, Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { appConfig, storeConfig, type ConfigOf } from '../config/config.namespaces';
import { HealthRegistry } from '../health/health.registry';
import { MetricsService } from '../health/metrics.service';
import type { JobQueue } from './job-queue.port';
import { MemoryJobQueue } from './memory.job-queue';
import { JOB_QUEUE } from './queue.constants';

export class QueueDriverUnavailableError extends Error {
  constructor(driver: string) {
    super(`QUEUE=${driver} is not available in this build; use QUEUE=memory (one process) until the BullMQ driver ships`);
    this.name = 'QueueDriverUnavailableError';
  }
}

/** The one place that picks the JOB_QUEUE implementation from QUEUE. */
export function createJobQueue(cfg: ConfigOf<typeof storeConfig>, metrics: MetricsService): JobQueue {
  switch (cfg.queue) {
    case 'memory':
      return new MemoryJobQueue({ metrics });
    default:
      throw new QueueDriverUnavailableError(cfg.queue);
  }
}

/** JOB_QUEUE for every module; drains queued work on shutdown before stores close. */
@Global()
@Module({
  providers: [
    {
      provide: JOB_QUEUE,
      inject: [storeConfig.KEY, MetricsService],
      useFactory: createJobQueue,
    },
  ],
  exports: [JOB_QUEUE],
})
export class QueueModule implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(appConfig.KEY) private readonly app: ConfigOf<typeof appConfig>,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    const queue = this.queue;
    if (queue instanceof MemoryJobQueue) this.health.register('job_queue', () => ({ status: 'up', driver: 'memory', ...queue.stats() }));
  }

  // Before (not on) application shutdown: stores close in onApplicationShutdown and running jobs still need them.
  async beforeApplicationShutdown(): Promise<void> {
    await this.queue.drain(this.app.shutdownTimeoutMs);
    if (this.queue instanceof MemoryJobQueue) this.queue.close();
  }
}
