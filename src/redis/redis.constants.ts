/**
 * REDIS_CONNECTION: the one shared RedisConnection when STORE=redis or QUEUE=bullmq,
 * else null. Stores and the lease borrow it (and never close it); RedisModule owns it.
 */
export const REDIS_CONNECTION = Symbol('REDIS_CONNECTION');
