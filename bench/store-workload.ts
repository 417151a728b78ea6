/**
 * The session-store workload shared by bench/redis-store.ts and bench/scale-out.ts: the
 * same actions, events and append loop, and the Redis helpers to measure and clean up
 * what a run wrote.
 */
import type { Action, ActionsEvent } from '../src/activity/activity.types';
import type { SessionStore } from '../src/activity/session-store/session-store.port';
import type { RedisConnection } from '../src/redis/redis-connection';

export const storeOpts = { lookbackSeconds: 300, maxActions: 30, maxSessions: 50_000, maxSessionsPerUser: 20, maxUsers: 100_000, sessionTtlSeconds: 86_400 };

/** Epoch seconds a little before the run, so every action is inside the lookback window (recency is measured on occurredAt). */
const t0 = Math.floor(Date.now() / 1000) - 60;

export const mkAction = (i: number): Action => ({
  index: i, type: i % 3 === 0 ? 'pageview' : 'click', title: `Clicked 'Button ${i}'`, description: `User clicked button ${i} on the settings page`,
  canonicalUrl: `/settings/section-${i % 7}`, rawUrl: `https://app.example.com/settings/section-${i % 7}?tab=${i}`, timestampStart: t0 + i, timestampEnd: t0 + 1 + i,
});

export const mkEvent = (session: number, actions: Action[]): ActionsEvent => ({
  type: 'actions', productId: 'bench', sessionId: `s-${session}`, userId: `u-${session}`, email: `user${session}@example.com`,
  actions, count: actions.length, forwardedAt: 1_700_000_000, source: 'test',
});

export const batch = Array.from({ length: 10 }, (_, i) => mkAction(i));

/** Appends `rounds` batches of 10 to each of `sessions` sessions with up to `inFlight` appends outstanding; returns actions/s. */
export async function appendLoad(store: SessionStore, sessions: number, rounds: number, inFlight: number): Promise<number> {
  const total = sessions * rounds;
  let next = 0;
  const start = process.hrtime.bigint();
  const lane = async () => {
    while (next < total) {
      const i = next++;
      await store.appendActions(mkEvent(i % sessions, batch));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return Math.round((total * batch.length) / secs);
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function usedMemory(conn: RedisConnection): Promise<number> {
  const info = await conn.client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** Deletes every key under `prefix` (connection without a key prefix of its own). */
export async function removePrefix(conn: RedisConnection, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await conn.client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5_000);
    cursor = next;
    if (keys.length) await conn.client.unlink(...keys);
  } while (cursor !== '0');
}
