import { BeforeApplicationShutdown, Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { appConfig, storeConfig, type ConfigOf } from '../config/config.namespaces';
import { HealthRegistry } from '../observability/health.registry';
import { MetricsService } from '../observability/metrics.service';
import { ShutdownState } from '../observability/shutdown.state';
import type { JobQueue } from './job-queue.port';
import { MemoryJobQueue } from './memory.job-queue';
import type { DeadLetterStore } from './dead-letter.port';
import { MemoryDeadLetterStore } from './memory.dead-letter.store';
import { BullMqJobQueue } from './bullmq.job-queue';
import { RedisDeadLetterStore } from './redis.dead-letter.store';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CONNECTION } from '../redis/redis.constants';
import { hostname } from 'node:os';
import { DEAD_LETTER_STORE, JOB_QUEUE } from './queue.constants';

/** The one place that picks the JOB_QUEUE implementation from QUEUE. */
export function createJobQueue(cfg: ConfigOf<typeof storeConfig>, metrics: MetricsService): JobQueue {
  switch (cfg.queue) {
    case 'memory':
      return new MemoryJobQueue({ metrics, maxPending: cfg.queueMaxPending });
    case 'bullmq':
      // BullMQ opens its own connections (workers block on Redis); a web replica enqueues and runs nothing.
      return new BullMqJobQueue({
        connection: { url: cfg.redisUrl, keyPrefix: cfg.redisKeyPrefix, connectionName: `activity-copilot:${cfg.role}:queue:${hostname()}:${process.pid}` },
        workers: cfg.role !== 'web',
        maxPending: cfg.queueMaxPending,
        // One setting for both: a dead worker's jobs lapse after lockDuration and are found by the next stalled check.
        lockDurationMs: cfg.queueLockMs,
        stalledIntervalMs: cfg.queueLockMs,
        instanceName: `${hostname()}:${process.pid}`,
        metrics,
      });
    default:
      // The env schema refuses drivers this build lacks; this guards direct callers.
      throw new Error(`QUEUE=${String(cfg.queue)} is not available in this build`);
  }
}

/** The one place that picks the DeadLetterStore implementation. */
export function createDeadLetterStore(cfg: ConfigOf<typeof storeConfig>, redis: RedisConnection | null): DeadLetterStore {
  switch (cfg.queue) {
    case 'memory':
      return new MemoryDeadLetterStore(cfg.deadLetterMax);
    case 'bullmq':
      if (!redis) throw new Error('QUEUE=bullmq needs the Redis connection (RedisModule)');
      return new RedisDeadLetterStore({ connection: redis, max: cfg.deadLetterMax });
    default:
      throw new Error(`QUEUE=${String(cfg.queue)} is not available in this build`);
  }
}

/** JOB_QUEUE and the dead letters for every module; on shutdown, finishes queued work before the stores close. */
@Global()
@Module({
  providers: [
    { provide: JOB_QUEUE, inject: [storeConfig.KEY, MetricsService], useFactory: createJobQueue },
    { provide: DEAD_LETTER_STORE, inject: [storeConfig.KEY, REDIS_CONNECTION], useFactory: createDeadLetterStore },
  ],
  exports: [JOB_QUEUE, DEAD_LETTER_STORE],
})
export class QueueModule implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(appConfig.KEY) private readonly app: ConfigOf<typeof appConfig>,
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsService,
    private readonly shutdown: ShutdownState,
    @Inject(DEAD_LETTER_STORE) private readonly deadLetters: DeadLetterStore,
  ) {}

  onModuleInit(): void {
    const queue = this.queue;
    // From the first signal the queue takes no new job (callers answer 503) and starts draining what it has.
    this.shutdown.onShutdown(() => void queue.close(this.app.shutdownTimeoutMs));
    this.health.register('job_queue', async () => {
      const s = await queue.status();
      return { ...s, status: s.state === 'up' ? 'up' : 'down' };
    });
    const gauge = (name: string, help: string, pick: (s: Awaited<ReturnType<JobQueue['status']>>) => number) =>
      this.metrics.gauge({
        name,
        help,
        async collect() {
          this.set(pick(await queue.status()));
        },
      });
    gauge('jobs_active', 'Jobs waiting, running or waiting for a retry', (s) => s.waiting + s.running + s.delayed);
    gauge('jobs_waiting', 'Jobs waiting to run', (s) => s.waiting);
    gauge('jobs_running', 'Jobs running', (s) => s.running);
    gauge('jobs_delayed', 'Jobs waiting for a retry', (s) => s.delayed);
    const deadLetters = this.deadLetters;
    this.health.register('dead_letters', async () => {
      const s = await deadLetters.stats();
      // Not "down": the service works; someone should look at what it could not deliver.
      return { status: s.count > 0 ? 'degraded' : 'up', count: s.count, dropped: s.dropped };
    });
    this.metrics.gauge({
      name: 'dead_letters',
      help: 'Acknowledged work that failed every retry and waits in the dead-letter list',
      async collect() {
        this.set((await deadLetters.stats()).count);
      },
    });
  }

  // Before (not on) application shutdown: stores close in onApplicationShutdown and running jobs still need them.
  async beforeApplicationShutdown(): Promise<void> {
    await this.queue.close(this.app.shutdownTimeoutMs);
    await this.deadLetters.close();
  }
}
