import { Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import { HealthRegistry } from '../observability/health.registry';
import { ActivityIngestService } from './activity-ingest.service';
import { SESSION_STORE } from './activity.constants';
import { ActivityStream } from './activity.stream';
import { IngestStats } from './ingest-stats.service';
import { SessionStoreFeeder } from './session-store/session-store.feeder';
import { createSessionStore } from './session-store/session-store.factory';
import type { SessionStore } from './session-store/session-store.port';
import { UsersController } from '../copilot/user-context.controller';

/** activity$ bus, the session store fed from it, and reading a user's context. */
@Module({
  controllers: [UsersController],
  providers: [
    ActivityStream,
    IngestStats,
    ActivityIngestService,
    SessionStoreFeeder,
    {
      provide: SESSION_STORE,
      inject: [storeConfig.KEY],
      useFactory: (cfg: ConfigOf<typeof storeConfig>) => createSessionStore(cfg),
    },
  ],
  exports: [ActivityStream, IngestStats, ActivityIngestService, SESSION_STORE],
})
export class ActivityModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('session_store', async () => {
      await this.store.ping();
      return { status: 'up', ...(await this.store.stats()) };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
