import { Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import { HealthRegistry } from '../observability/health.registry';
import { ActivityIngestService } from './activity-ingest.service';
import { ActivityReader } from './activity-reader.service';
import { SESSION_STORE } from './activity.constants';
import { ActivityStream } from './activity.stream';
import { IngestStats } from './ingest-stats.service';
import { SessionStoreFeeder } from './session-store/session-store.feeder';
import { createSessionStore } from './session-store/session-store.factory';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CONNECTION } from '../redis/redis.constants';
import type { SessionStore } from './session-store/session-store.port';
import { StoredActionsFeed } from './stored-actions.feed';
import { SummaryHistory } from './summary-history';

/**
 * activity$ (the bus every source publishes to), the session store fed from it, and
 * the read side (ActivityReader) and stored-actions feed the rest of the app uses.
 * SESSION_STORE itself is not exported: nothing outside this module touches the port.
 */
@Module({
  providers: [
    ActivityStream,
    IngestStats,
    ActivityIngestService,
    ActivityReader,
    StoredActionsFeed,
    SessionStoreFeeder,
    SummaryHistory,
    {
      provide: SESSION_STORE,
      inject: [storeConfig.KEY, REDIS_CONNECTION],
      useFactory: (cfg: ConfigOf<typeof storeConfig>, redis: RedisConnection | null) => createSessionStore(cfg, redis),
    },
  ],
  exports: [ActivityIngestService, ActivityReader, StoredActionsFeed, IngestStats],
})
export class ActivityModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly stats: IngestStats,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('session_store', async () => {
      await this.store.ping();
      const s = await this.store.stats();
      return { status: 'up', sessions_tracked: s.sessionsTracked, users_tracked: s.usersTracked };
    });
    this.health.register('ingest', () => {
      const t = this.stats.totals();
      return { status: 'up', events_ingested: t.ingested, events_rejected: t.rejected };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
