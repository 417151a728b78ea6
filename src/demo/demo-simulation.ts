import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ActivityIngestService } from '../activity/activity-ingest.service';
import type { ActionsEvent } from '../activity/activity.types';
import { demoConfig, storeConfig, type ConfigOf } from '../config/config.namespaces';
import type { RedisConnection } from '../redis/redis-connection';
import { RedisLease } from '../redis/redis-lease';
import { LeaseKeeper } from '../redis/redis-lease-keeper';
import { REDIS_CONNECTION } from '../redis/redis.constants';
import { DEMO_PRODUCT_ID, DEMO_USERS, type DemoUser } from './demo-users';
import { canonicalDemoPath } from './demo-paths';

interface Walker {
  user: DemoUser;
  /** Position in steps + rest; wraps around to a new session. */
  step: number;
  round: number;
}

/**
 * The `demo` source: every DEMO_STEP_MS each simulated user takes its next step, published
 * as a typed actions event through ActivityIngestService (the same path as the connector
 * stream and PostHog), so the store, summaries, context and proactive rules see it as they
 * would see a real user. Like the connector stream, one replica walks them: with
 * STORE=redis the holder of the `demo-simulation` lease (another takes over within
 * STREAM_LEASE_MS when it stops), never a ROLE=web replica.
 */
@Injectable()
export class DemoSimulation implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DemoSimulation.name);
  private walkers: Walker[] = [];
  /** Names this replica's walk in the session ids, so a replica taking over starts the stories in fresh sessions. */
  private runId = '';
  private timer?: NodeJS.Timeout;
  private keeper?: LeaseKeeper;
  /** The step under way, awaited when the walk stops (so no step is published after the lease is given back). */
  private stepping?: Promise<void>;

  constructor(
    private readonly ingest: ActivityIngestService,
    @Inject(demoConfig.KEY) private readonly cfg: ConfigOf<typeof demoConfig>,
    @Inject(storeConfig.KEY) private readonly store: ConfigOf<typeof storeConfig>,
    @Inject(REDIS_CONNECTION) private readonly redis: RedisConnection | null,
  ) {}

  onApplicationBootstrap(): void {
    if (this.store.role === 'web') {
      this.logger.log('ROLE=web: the demo users are walked by a worker replica');
      return;
    }
    if (this.store.driver !== 'redis' || !this.redis) return this.startWalking();
    const lease = new RedisLease({ connection: this.redis, name: 'demo-simulation', leaseMs: this.store.streamLeaseMs });
    this.keeper = new LeaseKeeper(lease, {
      renewMs: Math.max(200, Math.floor(this.store.streamLeaseMs / 3)),
      onAcquired: () => this.startWalking(),
      onLost: async (reason) => {
        // 'stopped' is this replica shutting down and handing the walk on; anything else is a lost lease.
        if (reason !== 'stopped') this.logger.warn({ reason }, 'demo simulation lease lost; another replica walks the demo users');
        await this.stopWalking();
      },
    });
    this.keeper.start();
  }

  async onModuleDestroy(): Promise<void> {
    // With a lease, stop() runs onLost (the walk stops, its last step finishes) before releasing it.
    await this.keeper?.stop();
    await this.stopWalking();
  }

  /** True while this replica walks the demo users. */
  isWalking(): boolean {
    return this.timer !== undefined;
  }

  private startWalking(): void {
    if (this.timer) return;
    this.walkers = DEMO_USERS.map((user) => ({ user, step: 0, round: 1 }));
    this.runId = Date.now().toString(36);
    this.timer = setInterval(() => void this.tick(), this.cfg.stepMs);
    this.timer.unref();
    this.logger.log({ users: DEMO_USERS.map((u) => `${u.userId} (${u.story})`), stepMs: this.cfg.stepMs }, 'demo users started');
  }

  private async stopWalking(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.stepping;
  }

  /** One step of every simulated user. A slow store must not pile up ticks: one is skipped rather than two run at once. */
  private tick(now = Date.now()): Promise<void> {
    this.stepping ??= this.step(now).finally(() => (this.stepping = undefined));
    return this.stepping;
  }

  private async step(now: number): Promise<void> {
    try {
      for (const w of this.walkers) await this.advance(w, now);
    } catch (err) {
      this.logger.warn({ err }, 'demo step not stored');
    }
  }

  private async advance(w: Walker, now: number): Promise<void> {
    const { user } = w;
    const position = w.step;
    w.step += 1;
    if (w.step >= user.steps.length + user.restSteps) {
      w.step = 0;
      w.round += 1;
    }
    const s = user.steps[position];
    if (!s) return;
    const sessionId = `${user.userId}-${this.runId}-${w.round}`;
    const event: ActionsEvent = {
      type: 'actions',
      productId: DEMO_PRODUCT_ID,
      sessionId,
      userId: user.userId,
      email: user.email,
      actions: [
        {
          index: position,
          type: s.type,
          title: s.title,
          description: '',
          canonicalUrl: canonicalDemoPath(s.path),
          rawUrl: `http://demo.invalid${s.path}`,
          timestampStart: now / 1000,
          timestampEnd: now / 1000,
          sessionId,
          userId: user.userId,
          email: user.email,
        },
      ],
      count: 1,
      forwardedAt: now / 1000,
      source: 'demo',
    };
    await this.ingest.publish(event, now);
  }
}
