import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { appConfig, storeConfig, type ConfigOf } from '../../config/config.namespaces';
import type { RedisConnection } from '../../redis/redis-connection';
import { REDIS_CONNECTION } from '../../redis/redis.constants';
import { RedisThrottlerStorage } from './redis.throttler-storage';
import { ChatThrottlerGuard } from './chat-throttler.guard';

/**
 * Registers the throttler once for the chat entry points that end users call directly (REST, bridge).
 * /rasa/webhook is called by the Rasa server, so all users would share one bucket there; it is not limited.
 * Only routes that opt in with `@UseGuards(ChatThrottlerGuard)` are limited;
 * webhooks and health are not. Counters are per process with STORE=memory, shared by every
 * replica (in Redis) with STORE=redis.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [appConfig.KEY, storeConfig.KEY, REDIS_CONNECTION],
      useFactory: (cfg: ConfigOf<typeof appConfig>, store: ConfigOf<typeof storeConfig>, redis: RedisConnection | null) => ({
        // The unnamed ("default") throttler makes the guard answer with a plain Retry-After header.
        throttlers: [{ ttl: 60_000, limit: cfg.rateLimitPerMinute }],
        // STORE=redis: one budget per user across every replica.
        ...(store.driver === 'redis' && redis ? { storage: new RedisThrottlerStorage({ connection: redis }) } : {}),
      }),
    }),
  ],
  providers: [ChatThrottlerGuard],
  exports: [ThrottlerModule, ChatThrottlerGuard],
})
export class ChatRateLimitModule {}
