import { at } from './support/clock';
import { FakeCrispServer } from './support/fake-crisp.server';
import { FakeOpenAiServer, type RecordedRequest } from './support/fake-openai.server';
import { FakeSseServer } from './support/fake-sse.server';
import { userMessageOf } from './support/prompt';
import { DisposableRedis, removeTestKeys, requireRedis, testKeyPrefix, TEST_REDIS_URL } from './support/redis';
import {
  askedBy,
  components,
  postHook,
  postJson,
  queueIdle,
  replicaEnv,
  signHook,
  sleep,
  startReplicas,
  until,
  visitorMessage,
} from './support/replica-cluster';
import { ensureDistBuilt, killAllServerProcesses, type ServerProcess } from './support/server-process';

/**
 * Several real dist/main.js replicas on one Redis (STORE=redis, QUEUE=bullmq), each
 * scenario under its own key prefix, with a local Crisp REST server and a local
 * OpenAI-compatible model: they must behave as one service (issue 14).
 */
const LABEL = 'multi-replica';
const crisp = new FakeCrispServer();
const llm = new FakeOpenAiServer();

const promptOf = (r: RecordedRequest): string => JSON.stringify(r.body?.messages ?? []);
const userTextOf = (r: RecordedRequest): string => String((r.body?.messages ?? []).filter((m: any) => m.role === 'user').at(-1)?.content ?? '');
/** Model requests whose latest user message contains `marker`. */
const asked = (marker: string) => llm.chatRequests().filter((r) => userTextOf(r).includes(marker));

const actions = (sessionId: string, userId: string, titles: string[], firstIndex = 0) => ({
  type: 'actions',
  product_id: 'acme',
  session_id: sessionId,
  user_id: userId,
  email: `${userId}@example.com`,
  actions: titles.map((title, i) => ({ index: firstIndex + i, type: 'click', title, description: title, canonical_url: '/app', timestamp_start: at(firstIndex + i) })),
  count: titles.length,
  forwarded_at: at(60),
});

const contextOf = async (r: ServerProcess, userId: string): Promise<string> => {
  const res = await fetch(`${r.url}/v1/users/${userId}/context`);
  return res.status === 200 ? String(((await res.json()) as { context: string }).context) : '';
};

let env: Record<string, string>;

beforeAll(async () => {
  await requireRedis();
  ensureDistBuilt();
  await crisp.start();
  await llm.start();
}, 120_000);

beforeEach(() => {
  crisp.reset();
  llm.requests.length = 0;
  llm.respondWith((req) => ({ text: `answer to: ${userMessageOf(userTextOf(req))}` }));
  env = replicaEnv({ redisUrl: TEST_REDIS_URL, prefix: testKeyPrefix(LABEL), crispUrl: crisp.url });
});

afterEach(async () => {
  await killAllServerProcesses();
});

afterAll(async () => {
  await killAllServerProcesses();
  await crisp.stop();
  await llm.stop();
  await removeTestKeys(LABEL);
});

describe('several dist/main.js replicas on one Redis', () => {
  it('the same signed Crisp hook delivered to every replica at once, three times, gets exactly one operator message', async () => {
    const replicas = await startReplicas(['A', 'B', 'C'], env, llm.url);
    const hook = signHook(visitorMessage('session_dup', 4242, 'one question, delivered nine times'));
    for (let round = 0; round < 3; round++) {
      const statuses = await Promise.all(replicas.map(async (r) => (await postHook(r.url, hook)).status));
      expect(statuses).toEqual([200, 200, 200]);
    }
    await until(() => crisp.messagesSent('session_dup').length > 0, 15_000, 'the reply');
    await until(() => queueIdle(replicas[0]), 10_000, 'an idle queue');
    expect(crisp.messagesSent('session_dup').map((m) => m.body.content)).toEqual(['answer to: one question, delivered nine times']);
    expect(asked('delivered nine times')).toHaveLength(1);
  }, 60_000);

  it('activity pushed to replica A is in the prompt of a chat answered by replica B, and no other user\'s', async () => {
    const [a, b] = await startReplicas(['A', 'B'], env, llm.url);
    expect((await postJson(`${a.url}/v1/activity`, actions('ps_alice', 'u_alice', ['Opened Billing', 'Clicked Upgrade plan']))).status).toBe(202);
    expect((await postJson(`${a.url}/v1/activity`, actions('ps_bob', 'u_bob', ['Opened Secret project of Bob']))).status).toBe(202);
    const res = await postJson(`${b.url}/v1/chat`, { userId: 'u_alice', message: 'How do I upgrade?' });
    expect(res.status).toBe(200);
    const [req] = asked('How do I upgrade?');
    expect(askedBy(req.path)).toBe('B');
    expect(promptOf(req)).toContain('Clicked Upgrade plan');
    expect(promptOf(req)).toContain('Opened Billing');
    expect(promptOf(req)).not.toContain('Secret project of Bob');
  }, 60_000);

  it('all replicas stopped and started again: sessions, summaries, history and dedupe claims are still there', async () => {
    const first = await startReplicas(['A', 'B'], env, llm.url);
    await postJson(`${first[0].url}/v1/activity`, actions('ps_r', 'u_r', ['Opened Exports', 'Clicked Export CSV', 'Clicked Download']));
    const summary = { type: 'summary', product_id: 'acme', session_id: 'ps_r', summary: 'Explored the exports page.', replaces: 1, forwarded_at: at(61) };
    expect((await postJson(`${first[1].url}/v1/activity`, summary)).status).toBe(202);
    const firstHook = signHook(visitorMessage('session_restart', 1, 'first question about exports'));
    expect((await postHook(first[0].url, firstHook)).status).toBe(200);
    await until(() => crisp.messagesSent('session_restart').length === 1, 15_000, 'the first reply');

    // SIGTERM: each replica drains and exits cleanly; nothing of the state lived in them.
    expect(await Promise.all(first.map((r) => r.terminate()))).toEqual([0, 0]);
    const second = await startReplicas(['A2', 'B2'], env, llm.url);

    const context = await contextOf(second[1], 'u_r');
    expect(context).toContain('Summary: Explored the exports page.');
    expect(context).toContain('Clicked Download');
    expect(context).not.toContain('Opened Exports');

    // Crisp redelivers the old hook (fresh timestamp and signature): its claim survived, so no second answer.
    expect((await postHook(second[0].url, signHook(visitorMessage('session_restart', 1, 'first question about exports')))).status).toBe(200);
    const secondHook = signHook(visitorMessage('session_restart', 2, 'second question, after the restart'));
    expect((await postHook(second[1].url, secondHook)).status).toBe(200);
    await until(() => crisp.messagesSent('session_restart').length >= 2, 15_000, 'the second reply');
    await until(() => queueIdle(second[0]), 10_000, 'an idle queue');
    expect(crisp.messagesSent('session_restart').map((m) => m.body.content)).toEqual([
      'answer to: first question about exports',
      'answer to: second question, after the restart',
    ]);
    expect(asked('first question about exports')).toHaveLength(1);
    const [secondPrompt] = asked('second question, after the restart');
    // Either restarted replica may run the job; only the shared Redis can have given it the first turn.
    expect(['A2', 'B2']).toContain(askedBy(secondPrompt.path));
    expect(promptOf(secondPrompt)).toContain('first question about exports');
    expect(promptOf(secondPrompt)).toContain('answer to: first question about exports');
  }, 90_000);

  it('only one replica reads the connector stream; when it is SIGKILLed another takes over within the lease, and no event is read twice', async () => {
    const sse = await new FakeSseServer().start();
    const LEASE_MS = 2_000;
    // Like the connector, every event goes to every open subscription: two readers at once would store it twice.
    const writes: number[] = [];
    let maxOpen = 0;
    const open = () => sse.connections.filter((c) => c.isOpen);
    const sampler = setInterval(() => (maxOpen = Math.max(maxOpen, open().length)), 5);
    const title = (i: number) => `stream-step-${String(i).padStart(3, '0')}`;
    const broadcast = (i: number) => {
      const readers = open();
      maxOpen = Math.max(maxOpen, readers.length);
      writes[i] = readers.length;
      for (const c of readers) c.send({ ...actions('ps_stream', 'u_stream', [title(i)], i), actions: [{ index: i, type: 'click', title: title(i), description: 'on the stream', canonical_url: '/app', timestamp_start: at(i) }] });
    };
    try {
      const streamEnv = { ...env, SOURCES: 'push,stream', STREAM_URL: sse.url, UNKEY_API_KEY: 'uk_replicas', STREAM_LEASE_MS: String(LEASE_MS), MAX_ACTIONS: '200' };
      const replicas = await startReplicas(['A', 'B', 'C'], streamEnv, llm.url);
      await until(() => open().length === 1, 10_000, 'a stream reader');
      // The others keep trying for the lease meanwhile (every LEASE_MS / 3) and must stay out.
      await sleep(LEASE_MS);
      const states = await Promise.all(replicas.map(async (r) => (await components(r))?.connector_stream?.state));
      expect(states.filter((s) => s === 'connected')).toHaveLength(1);
      expect(states.filter((s) => s === 'standby')).toHaveLength(2);
      const holder = replicas[states.indexOf('connected')];
      const others = replicas.filter((r) => r !== holder);

      let n = 0;
      for (; n < 10; n++) broadcast(n);
      await until(async () => (await contextOf(others[0], 'u_stream')).includes(title(9)), 10_000, 'the first events stored');

      await holder.stop();
      const killedAt = Date.now();
      const sender = setInterval(() => broadcast(n++), 50);
      await until(() => sse.connections.length === 2 && open().length === 1, 15_000, 'a new stream reader');
      const takeoverMs = sse.attempts[sse.attempts.length - 1].at - killedAt;
      const afterTakeover = n;
      await until(() => n >= afterTakeover + 10, 5_000, 'events sent to the new reader');
      clearInterval(sender);
      const last = n - 1;
      await until(async () => (await contextOf(others[0], 'u_stream')).includes(title(last)), 10_000, 'the last event stored');

      // The lease lapses at most LEASE_MS after the kill, and a standby tries every LEASE_MS / 3.
      expect(takeoverMs).toBeLessThan(LEASE_MS * 2 + 1_000);
      expect(maxOpen).toBe(1);
      expect(writes.filter((w) => w > 1)).toEqual([]);
      const context = await contextOf(others[1], 'u_stream');
      const times = (i: number) => context.split(title(i)).length - 1;
      // Sent to a live reader: stored exactly once. During the hand-over: at most what was written (the connector has no replay).
      const stored = Array.from({ length: last + 1 }, (_, i) => times(i));
      const expected = stored.map((count, i) => (i < 10 || i >= afterTakeover ? 1 : Math.min(count, writes[i])));
      expect(stored).toEqual(expected);
      expect(writes.slice(afterTakeover).every((w) => w === 1)).toBe(true);
      const newStates = await Promise.all(others.map(async (r) => (await components(r))?.connector_stream));
      expect(newStates.map((c) => c.state).sort()).toEqual(['connected', 'standby']);
      const reader = newStates.find((c) => c.state === 'connected');
      expect(newStates.find((c) => c.state === 'standby').lease_holder).toBe(reader.lease_holder);
    } finally {
      clearInterval(sampler);
      await killAllServerProcesses();
      await sse.stop();
    }
  }, 90_000);

  it('200 hooks queued, the replica holding jobs SIGKILLed: the others deliver every reply exactly once', async () => {
    const TOTAL = 200;
    // A takes jobs and never finishes them (it dies mid-call); B and C answer slowly enough that jobs are still waiting at the kill.
    llm.respondWith((req) => (askedBy(req.path) === 'A' ? { hang: true } : { text: `answer to: ${userMessageOf(userTextOf(req))}`, delayMs: 250 }));
    const replicas = await startReplicas(['A', 'B', 'C'], { ...env, REPLY_CONCURRENCY: '4' }, llm.url);
    const [a] = replicas;
    const hooks = Array.from({ length: TOTAL }, (_, i) => signHook(visitorMessage(`session_k${i}`, 10_000 + i, `question number ${i}.`)));
    for (let i = 0; i < TOTAL; i += 20) {
      const statuses = await Promise.all(hooks.slice(i, i + 20).map(async (h, j) => (await postHook(replicas[(i + j) % 3].url, h)).status));
      expect(statuses.every((s) => s === 200)).toBe(true);
    }
    await until(() => llm.chatRequests().filter((r) => askedBy(r.path) === 'A').length === 4, 15_000, 'A holding four jobs');
    const heldByA = llm.chatRequests().filter((r) => askedBy(r.path) === 'A').map((r) => /question number (\d+)\./.exec(userTextOf(r))![1]);
    await a.stop();
    const deliveredAtKill = crisp.messagesSent().length;
    expect(deliveredAtKill).toBeLessThan(TOTAL - heldByA.length);

    // Under 30 s: with BullMQ's default lock (not QUEUE_LOCK_MS=2000) A's jobs would still be locked to the dead process.
    await until(() => new Set(crisp.messagesSent().map((m) => m.sessionId)).size === TOTAL, 25_000, 'every reply');
    await until(() => queueIdle(replicas[1]), 10_000, 'an idle queue');
    await sleep(500);
    const perSession = new Map<string, number>();
    for (const m of crisp.messagesSent()) perSession.set(m.sessionId!, (perSession.get(m.sessionId!) ?? 0) + 1);
    expect([...perSession.values()].filter((c) => c !== 1)).toEqual([]);
    expect(perSession.size).toBe(TOTAL);
    for (const i of heldByA) {
      expect(crisp.messagesSent(`session_k${i}`).map((m) => m.body.content)).toEqual([`answer to: question number ${i}.`]);
      expect(asked(`question number ${i}.`).map((r) => askedBy(r.path))).toEqual(['A', expect.stringMatching(/^[BC]$/)]);
    }
  }, 120_000);

  it('Redis stopped mid-run: readiness and webhooks answer 503 with Retry-After, processes stay up, and recover when it is back', async () => {
    const redis = await DisposableRedis.start();
    try {
      const replicas = await startReplicas(['A', 'B'], { ...env, REDIS_URL: redis.url }, llm.url);
      expect((await postHook(replicas[0].url, signHook(visitorMessage('session_before', 1, 'before the outage')))).status).toBe(200);
      await until(() => crisp.messagesSent('session_before').length === 1, 15_000, 'the reply before the outage');

      await redis.down();
      for (const r of replicas) await until(async () => (await fetch(`${r.url}/readyz`)).status === 503, 15_000, 'readiness down');
      for (const r of replicas) {
        const hook = await postHook(r.url, signHook(visitorMessage('session_during', 2, 'during the outage')));
        expect(hook.status).toBe(503);
        expect(Number(hook.headers.get('retry-after'))).toBeGreaterThan(0);
        const push = await postJson(`${r.url}/v1/activity`, actions('ps_out', 'u_out', ['Clicked during outage']));
        expect(push.status).toBe(503);
        expect(push.headers.get('retry-after')).not.toBeNull();
      }
      await sleep(1_000);
      expect(replicas.map((r) => r.alive())).toEqual([true, true]);

      await redis.up();
      for (const r of replicas) await until(async () => (await fetch(`${r.url}/readyz`)).status === 200, 20_000, 'readiness back');
      // Crisp's redelivery of the refused hook now gets its answer, once.
      const redelivered = signHook(visitorMessage('session_during', 2, 'during the outage'));
      expect((await postHook(replicas[1].url, redelivered)).status).toBe(200);
      expect((await postHook(replicas[0].url, redelivered)).status).toBe(200);
      await until(() => crisp.messagesSent('session_during').length > 0, 20_000, 'the reply after recovery');
      await until(() => queueIdle(replicas[0]), 10_000, 'an idle queue');
      expect(crisp.messagesSent('session_during').map((m) => m.body.content)).toEqual(['answer to: during the outage']);
      expect((await postJson(`${replicas[0].url}/v1/activity`, actions('ps_out', 'u_out', ['Clicked after outage']))).status).toBe(202);
      expect(replicas.map((r) => r.alive())).toEqual([true, true]);
    } finally {
      await killAllServerProcesses();
      await redis.down();
    }
  }, 90_000);
});
