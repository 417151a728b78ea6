import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CONNECTION } from '../redis/redis.constants';
import { MemoryUserEventBus } from './memory.user-event-bus';
import { RedisUserEventBus } from './redis.user-event-bus';
import type { UserEventBus, UserEventBusOptions } from './user-event-bus.port';
import { USER_EVENT_BUS } from './user-events.constants';

/** Resumption window of a user's event feed: enough for a reconnecting tab, bounded in memory. */
export const USER_EVENT_DEFAULTS: UserEventBusOptions = { maxEventsPerUser: 50, retentionMs: 15 * 60_000, maxEventBytes: 16 * 1024 };

/** The one place that maps STORE=… to a USER_EVENT_BUS implementation. */
export function createUserEventBus(cfg: ConfigOf<typeof storeConfig>, redis: RedisConnection | null): UserEventBus {
  switch (cfg.driver) {
    case 'memory':
      return new MemoryUserEventBus(USER_EVENT_DEFAULTS);
    case 'redis':
      if (!redis) throw new Error('STORE=redis needs the Redis connection (RedisModule)');
      return new RedisUserEventBus({ ...USER_EVENT_DEFAULTS, connection: redis });
    default:
      throw new Error(`STORE=${String(cfg.driver)}: no user event bus for this driver in this build`);
  }
}

/** USER_EVENT_BUS for the modules that push events to a user's listeners (proactive delivery, REST and browser streams). */
@Global()
@Module({
  providers: [{ provide: USER_EVENT_BUS, inject: [storeConfig.KEY, REDIS_CONNECTION], useFactory: createUserEventBus }],
  exports: [USER_EVENT_BUS],
})
export class UserEventsModule implements OnApplicationShutdown {
  constructor(@Inject(USER_EVENT_BUS) private readonly bus: UserEventBus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
