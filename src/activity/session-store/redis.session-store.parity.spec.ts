import { TEST_REDIS_URL, itLeavesNoKeyWithoutExpiry, requireRedis, testKeyPrefix } from '../../../test/support/redis';
import type { Action, ActionsEvent } from '../activity.types';
import { MemorySessionStore } from './memory.session-store';
import { RedisSessionStore } from './redis.session-store';
import type { SessionContext, SessionStore, SessionStoreOptions, UserActivity } from './session-store.port';

/**
 * Differential check: one seeded sequence of appends (late, future, second- and
 * millisecond-stamped actions; anonymous, identified and taken-over sessions), summaries
 * and clock steps runs against the memory store and the Redis store, and every read must
 * come back the same. Generations are compared by what they mean (same session record
 * or not), since each store numbers them its own way. Caps are large enough that LRU
 * eviction (by last use in memory, by last write in Redis) never decides.
 */
beforeAll(requireRedis);

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A snapshot without the store-specific generation numbers. */
const plainContext = (c: SessionContext | null) => (c ? { ...c, generation: undefined } : null);
const plainActivity = (u: UserActivity | null) => (u ? { ...u, sessions: u.sessions.map(plainContext) } : null);

describe.each(Array.from({ length: 12 }, (_, i) => i + 1))('RedisSessionStore behaves as MemorySessionStore (seed %i)', (seed) => {
  let clock = 1_800_000_000_000;
  const opts: SessionStoreOptions = {
    lookbackSeconds: 120, maxActions: 6, maxSessions: 1_000, maxSessionsPerUser: 3, maxUsers: 1_000, sessionTtlSeconds: 90, now: () => clock,
  };
  let memory: SessionStore;
  let redis: SessionStore;
  beforeAll(() => {
    memory = new MemorySessionStore(opts);
    redis = new RedisSessionStore({ ...opts, connection: { url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('parity') } });
  });
  afterAll(async () => {
    await memory.close();
    await redis.close();
  });

  it('gives the same answers to 600 random operations', async () => {
    const random = mulberry32(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const products = ['A', 'B:x'];
    const sessions = ['s1', 's2', 's:3', 's4'];
    const users = [undefined, 'alice', 'bob', 'carol'];
    const emails = [undefined, 'Alice@Example.com', 'bob@example.com', 'É@x.io'];
    let n = 0;
    const action = (): Action => {
      const kind = random();
      // Now, a late one (maybe past the window), one claiming the future, in seconds or in ms, or none.
      const offset = Math.round((random() * 200 - 170) * 1000);
      const ms = clock + offset;
      const timestampStart = kind < 0.2 ? 0 : kind < 0.6 ? ms : ms / 1000;
      return {
        index: ++n, type: pick(['click', 'pageview']), title: `t${n}`, description: pick(['', 'd, "quoted" ]']), canonicalUrl: '/p', rawUrl: '',
        timestampStart, timestampEnd: timestampStart, sessionId: pick([undefined, 'x']), userId: undefined, email: undefined,
      };
    };
    const generations = new Map<number, number>();
    const sameGeneration = (m: SessionContext | null, r: SessionContext | null) => {
      if (!m || !r) return;
      const known = generations.get(m.generation);
      if (known === undefined) generations.set(m.generation, r.generation);
      else expect(r.generation).toBe(known);
    };
    const log: string[] = [];
    for (let step = 0; step < 600; step++) {
      const productId = pick(products);
      const sessionId = pick(sessions);
      const scope = { productId, sessionId };
      const op = random();
      if (op < 0.45) {
        const actions = Array.from({ length: 1 + Math.floor(random() * 3) }, action);
        const event: ActionsEvent = {
          type: 'actions', productId, sessionId: random() < 0.05 ? undefined : sessionId, userId: pick(users), email: pick(emails),
          actions, count: actions.length, forwardedAt: 0, source: 'test',
        };
        log.push(`${step} append ${JSON.stringify({ productId, sessionId: event.sessionId, userId: event.userId, n: actions.length })}`);
        expect({ step, r: await redis.appendActions(event) }).toEqual({ step, r: await memory.appendActions(event) });
      } else if (op < 0.6) {
        // A summarizer reads, then summarises what it read (or the connector replaces the oldest few).
        const [m, r] = [await memory.getSessionContext(scope), await redis.getSessionContext(scope)];
        expect({ step, r: plainContext(r) }).toEqual({ step, r: plainContext(m) });
        sameGeneration(m, r);
        if (!m || !r) continue;
        const connector = random() < 0.4;
        const text = `summary ${step}`;
        const stale = random() < 0.2;
        const through = m.actions.at(-1)?.seq ?? 0;
        const update = (c: SessionContext) =>
          connector
            ? { text, replaces: 1 + Math.floor(random() * 4) }
            : { text, coversThroughSeq: through, generation: c.generation, expectedRevision: stale ? c.summaryRevision - 1 : c.summaryRevision };
        const mu = update(m);
        const ru = { ...mu, ...(connector ? {} : { generation: r.generation, expectedRevision: stale ? r.summaryRevision - 1 : r.summaryRevision }) };
        log.push(`${step} summary ${JSON.stringify(mu)}`);
        expect({ step, r: await redis.applySummary(scope, ru) }).toEqual({ step, r: await memory.applySummary(scope, mu) });
      } else if (op < 0.8) {
        const user = pick(users.slice(1)) as string;
        const product = random() < 0.5 ? undefined : pick(products);
        const [m, r] = [await memory.getUserActivity(user, { productId: product }), await redis.getUserActivity(user, { productId: product })];
        expect({ step, r: plainActivity(r) }).toEqual({ step, r: plainActivity(m) });
        for (let i = 0; m && r && i < m.sessions.length; i++) sameGeneration(m.sessions[i], r.sessions[i]);
        expect(await redis.getRecentSessions(user, product)).toEqual(await memory.getRecentSessions(user, product));
        expect(await redis.getEmail(user)).toEqual(await memory.getEmail(user));
        const email = pick(emails.slice(1)) as string;
        expect(await redis.findUserByEmail(email.toUpperCase())).toEqual(await memory.findUserByEmail(email.toUpperCase()));
      } else {
        clock += Math.round(random() * 40_000);
        log.push(`${step} clock +`);
      }
      expect({ step, stats: await redis.stats() }).toEqual({ step, stats: await memory.stats() });
    }
    expect(log.length).toBeGreaterThan(100);
  });
});

// Last, so it sees every key the suites above wrote.
describe('RedisSessionStore parity key expiry', () => {
  itLeavesNoKeyWithoutExpiry('parity');
});
