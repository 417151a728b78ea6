import { Global, Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { hostname } from 'node:os';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import { HealthRegistry } from '../observability/health.registry';
import { RedisConnection } from './redis-connection';
import { REDIS_CONNECTION } from './redis.constants';

/** Whether this configuration talks to Redis at all. */
export const usesRedis = (cfg: ConfigOf<typeof storeConfig>): boolean => cfg.driver === 'redis' || cfg.queue === 'bullmq';

export function createRedisConnection(cfg: ConfigOf<typeof storeConfig>): RedisConnection | null {
  if (!usesRedis(cfg)) return null;
  return new RedisConnection({
    url: cfg.redisUrl,
    keyPrefix: cfg.redisKeyPrefix,
    connectionName: `activity-copilot:${cfg.role}:${hostname()}:${process.pid}`,
  });
}

/**
 * Owns the Redis connection the stores share: opened at boot (the service starts, and
 * reports `redis` down in /readyz, when Redis is not there yet; it connects by itself once
 * it is), reported in health, closed last on shutdown.
 */
@Global()
@Module({
  providers: [{ provide: REDIS_CONNECTION, inject: [storeConfig.KEY], useFactory: createRedisConnection }],
  exports: [REDIS_CONNECTION],
})
export class RedisModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: RedisConnection | null,
    @Inject(storeConfig.KEY) private readonly cfg: ConfigOf<typeof storeConfig>,
    private readonly health: HealthRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    const redis = this.redis;
    if (!redis) return;
    this.health.register('redis', () => {
      const s = redis.status();
      return { status: s.state, url: redactedUrl(this.cfg.redisUrl), key_prefix: this.cfg.redisKeyPrefix, since: new Date(s.since).toISOString(), ...(s.lastError ? { last_error: s.lastError } : {}) };
    });
    // Give a Redis that is there a moment to answer, so the first requests do not fail; one that is not does not block the boot.
    await redis.waitUntilReady(2_000).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}

/** The URL without its password, for health output. */
function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://…';
  }
}
