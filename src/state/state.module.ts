import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import type { KeyValueStore } from './key-value-store.port';
import { MemoryKeyValueStore } from './memory.key-value-store';
import { KEY_VALUE_STORE } from './state.constants';

/** The one place that maps STORE=… to a KEY_VALUE_STORE implementation. */
export function createKeyValueStore(cfg: ConfigOf<typeof storeConfig>): KeyValueStore {
  switch (cfg.driver) {
    case 'memory':
      return new MemoryKeyValueStore({ maxValueBytes: 256 * 1024, maxBytes: cfg.stateMaxBytes });
    default:
      throw new Error(`STORE=${String(cfg.driver)} is not available in this build`);
  }
}

/** KEY_VALUE_STORE for every module that keeps small expiring state. */
@Global()
@Module({
  providers: [{ provide: KEY_VALUE_STORE, inject: [storeConfig.KEY], useFactory: createKeyValueStore }],
  exports: [KEY_VALUE_STORE],
})
export class StateModule implements OnApplicationShutdown {
  constructor(@Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.kv.close();
  }
}
