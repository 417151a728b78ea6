/**
 * Redis session store benchmark. Prints, in one run against the same workload:
 *  1. appendActions throughput of the memory store (one process, awaited one by one),
 *  2. the Redis store awaited one by one (round-trip bound) and with many appends in
 *     flight across sessions (how ingest runs under load: ioredis pipelines them),
 *  3. Redis memory per session for 10,000 sessions × 30 actions (INFO memory
 *     used_memory delta / sessions) beside what the store's byte accounting (the
 *     `sizes` total that maxBytes is checked against) says for the same sessions,
 *  4. the same load under a byte budget (maxBytes): what Redis then holds,
 * then removes what it wrote.
 * Run: node -r ts-node/register/transpile-only bench/redis-store.ts
 * (REDIS_URL defaults to redis://127.0.0.1:6379; keys go under bench:<pid>:, all with a TTL.)
 */
import { Logger } from '@nestjs/common';
import { MemorySessionStore } from '../src/activity/session-store/memory.session-store';
import { RedisSessionStore } from '../src/activity/session-store/redis.session-store';
import { RedisConnection } from '../src/redis/redis-connection';
import { appendLoad, fmt, removePrefix, storeOpts, usedMemory } from './store-workload';

Logger.overrideLogger(false);

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function main(): Promise<void> {
  const prefix = `bench:${process.pid}:`;
  const admin = new RedisConnection({ url });
  await admin.waitUntilReady();
  const server = /redis_version:(\S+)/.exec(await admin.client.info('server'))![1];
  console.log(`Redis ${server} at ${url}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);

  const memory = new MemorySessionStore(storeOpts);
  await appendLoad(memory, 500, 1, 1); // warm-up
  console.log(`[in-process] memory store: ${fmt(await appendLoad(memory, 5_000, 20, 1))} actions/s (batches of 10, 5,000 sessions, one at a time)`);
  await memory.close();

  const conn = new RedisConnection({ url, keyPrefix: `${prefix}tput:` });
  await conn.waitUntilReady();
  const redis = new RedisSessionStore({ ...storeOpts, connection: conn });
  await appendLoad(redis, 500, 1, 16); // warm-up: scripts loaded, connection hot
  console.log(`[in-process] redis store, one at a time: ${fmt(await appendLoad(redis, 5_000, 2, 1))} actions/s (round-trip bound)`);
  for (const inFlight of [16, 64, 256]) {
    console.log(`[in-process] redis store, ${inFlight} appends in flight across sessions: ${fmt(await appendLoad(redis, 5_000, 6, inFlight))} actions/s`);
  }
  await redis.close();
  await removePrefix(admin, `${prefix}tput:`);
  await conn.close();

  // Memory: 10,000 sessions × 30 actions (3 batches of 10), each with a user, an email and a user index entry.
  const memConn = new RedisConnection({ url, keyPrefix: `${prefix}mem:` });
  await memConn.waitUntilReady();
  const sized = new RedisSessionStore({ ...storeOpts, connection: memConn });
  const sessions = 10_000;
  const before = await usedMemory(admin);
  await appendLoad(sized, sessions, 3, 64);
  const after = await usedMemory(admin);
  const stats = await sized.stats();
  const accounted = Number(await memConn.client.hget(memConn.key('ss', 'sizes'), 'total'));
  console.log(
    `[memory] redis used_memory +${fmt(after - before)} bytes for ${fmt(stats.sessionsTracked)} sessions × 30 actions = ${fmt(Math.round((after - before) / sessions))} bytes/session` +
      ` (byte accounting: ${fmt(Math.round(accounted / stats.sessionsTracked))} bytes/session)`,
  );
  await sized.close();
  await removePrefix(admin, `${prefix}mem:`);
  await memConn.close();

  // The same load under a byte budget of a quarter of what it needs.
  const budget = Math.round(accounted / 4);
  const capConn = new RedisConnection({ url, keyPrefix: `${prefix}cap:` });
  await capConn.waitUntilReady();
  const capped = new RedisSessionStore({ ...storeOpts, maxBytes: budget, connection: capConn });
  const capBefore = await usedMemory(admin);
  const cappedRate = await appendLoad(capped, sessions, 3, 64);
  const capAfter = await usedMemory(admin);
  const capStats = await capped.stats();
  console.log(
    `[memory] maxBytes ${fmt(budget)}: ${fmt(capStats.sessionsTracked)} sessions kept, redis used_memory +${fmt(capAfter - capBefore)} bytes, ${fmt(cappedRate)} actions/s (64 in flight, evicting)`,
  );
  await capped.close();
  await removePrefix(admin, `${prefix}cap:`);
  await capConn.close();
  await admin.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
