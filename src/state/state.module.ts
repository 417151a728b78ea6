import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import type { KeyValueStore } from './key-value-store.port';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CONNECTION } from '../redis/redis.constants';
import { MemoryKeyValueStore } from './memory.key-value-store';
import { RedisKeyValueStore } from './redis.key-value-store';
import { KEY_VALUE_STORE } from './state.constants';

const MAX_VALUE_BYTES = 256 * 1024;

/** The one place that maps STORE=… to a KEY_VALUE_STORE implementation. */
export function createKeyValueStore(cfg: ConfigOf<typeof storeConfig>, redis: RedisConnection | null): KeyValueStore {
  switch (cfg.driver) {
    case 'memory':
      return new MemoryKeyValueStore({ maxValueBytes: MAX_VALUE_BYTES, maxBytes: cfg.stateMaxBytes });
    case 'redis':
      if (!redis) throw new Error('STORE=redis needs the Redis connection (RedisModule)');
      return new RedisKeyValueStore({ connection: redis, maxValueBytes: MAX_VALUE_BYTES });
    default:
      throw new Error(`STORE=${String(cfg.driver)} is not available in this build`);
  }
}

/** KEY_VALUE_STORE for every module that keeps small expiring state. */
@Global()
@Module({
  providers: [{ provide: KEY_VALUE_STORE, inject: [storeConfig.KEY, REDIS_CONNECTION], useFactory: createKeyValueStore }],
  exports: [KEY_VALUE_STORE],
})
export class StateModule implements OnApplicationShutdown {
  constructor(@Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.kv.close();
  }
}
