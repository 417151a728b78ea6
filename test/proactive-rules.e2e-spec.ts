import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { RulesFileError } from '../src/proactive/engine';
import { bootProactiveApp, click, decisionsOf, page, pushActions, sleep, waitFor } from './support/proactive-app';
import { SseReader } from './support/sse-reader';
import type { TestApp } from './support/test-app';

/**
 * The engine's behaviour inside the app (REST channel, memory or Redis state): triggers
 * that need the pulse, cooldowns, reactive suppression, each cap, shadow mode and rules
 * files that stop the boot. Timings come from the rules file's settings and a 0.2 s pulse.
 */
const dir = mkdtempSync(join(tmpdir(), 'proactive-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rulesFile = (name: string, yaml: string) => {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
};

const sent = (ds: any[]) => ds.filter((d) => d.outcome === 'sent');
const withReason = (ds: any[], reason: string) => ds.filter((d) => d.reason === reason);
const chat = (t: TestApp, userId: string, message: string) =>
  request(t.server).post('/v1/chat').set('authorization', 'Bearer test-key').send({ userId, message }).expect(200);

const boot = (env: Record<string, string>) => bootProactiveApp({ CHANNELS: 'rest', SUMMARIZER: 'none', PROACTIVE_PULSE_SECONDS: '0.2', ...env });

describe('Proactive: built-in triggers that need the pulse', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await boot({
      PROACTIVE_RULES_FILE: rulesFile(
        'pulse.yml',
        `version: 1
settings: { min_interval_seconds: 0, cooldown_seconds: 0 }
rules:
  - id: dwell
    priority: 10
    criteria: { page_dwell: { min_seconds: 2, max_actions: 2 } }
    message: "Still on {page}?"
  - id: bounce
    priority: 100
    criteria: { ping_pong: { min_cycles: 2 } }
    message: "Back and forth between {page} and {otherPage}?"
`,
      ),
    });
  });
  afterAll(() => t.close());

  it('page_dwell counts the idle time after the last action: "landed, clicked once, then idled" fires on the pulse', async () => {
    await pushActions(t, { session: 's_dwell', user: 'u_dwell' }, [page('Reports', '/reports', 0.5), click('Filter', '/reports', 0.2)]);
    expect(sent(await decisionsOf(t, 'u_dwell'))).toHaveLength(0);
    // No further activity: only the pulse can notice that the user is idling.
    const d = await waitFor(async () => sent(await decisionsOf(t, 'u_dwell'))[0], 6_000, 'the dwell nudge');
    expect(d).toMatchObject({ ruleId: 'dwell', trigger: 'page_dwell', page: '/reports', message: 'Still on Reports?', channel: 'rest' });
    expect(Date.now() - d.evidence.at(-1).at).toBeGreaterThanOrEqual(1_500);
  });

  it('ping_pong: A → B → B → A → B → A counts the collapsed repeats as one visit', async () => {
    await pushActions(t, { session: 's_pp', user: 'u_pp' }, [
      page('Settings', '/settings', 20),
      page('Billing', '/billing', 18),
      click('Invoices', '/billing', 17),
      page('Settings', '/settings', 15),
      page('Billing', '/billing', 12),
      page('Settings', '/settings', 10),
    ]);
    const d = await waitFor(async () => sent(await decisionsOf(t, 'u_pp'))[0], 3_000, 'the ping-pong nudge');
    expect(d).toMatchObject({ ruleId: 'bounce', trigger: 'ping_pong' });
    expect(d.message).toMatch(/^Back and forth between (Settings|Billing) and (Settings|Billing)\?$/);
  });
});

describe('Proactive: cooldowns and reactive suppression', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await boot({
      PROACTIVE_RULES_FILE: rulesFile(
        'cooldown.yml',
        `version: 1
settings:
  min_interval_seconds: 0
  cooldown_seconds: 1
  cooldown_growth: 3
  interaction_timeout_seconds: 30
  reactive_timeout_seconds: 2
rules:
  - id: any-page
    criteria: { url_matches: "/cd/**" }
    cooldown_seconds: 0
    message: "Need a hand with {page}?"
    quick_replies: ["Yes please", "No thanks"]
  - id: exports-help
    criteria: { url_matches: "/exports/**" }
    cooldown_seconds: 0
    message: "Exporting something?"
`,
      ),
    });
  });
  afterAll(() => t.close());

  it('a declined nudge makes the next cooldown longer (1 s × 3): suppressed past the base cooldown, sent after the grown one', async () => {
    await pushActions(t, { session: 's_cd', user: 'u_cd' }, [page('A', '/cd/a', 0)]);
    await waitFor(async () => sent(await decisionsOf(t, 'u_cd')).length === 1, 3_000, 'the first nudge');
    await chat(t, 'u_cd', 'No thanks');
    const declinedAt = Date.now();
    await sleep(1_300);
    // Past the base cooldown (1 s), inside the grown one (3 s).
    await pushActions(t, { session: 's_cd', user: 'u_cd' }, [page('B', '/cd/b', 0)]);
    await waitFor(async () => withReason(await decisionsOf(t, 'u_cd'), 'cooldown').length > 0, 2_000, 'a cooldown suppression');
    expect(sent(await decisionsOf(t, 'u_cd'))).toHaveLength(1);
    const second = await waitFor(async () => sent(await decisionsOf(t, 'u_cd')).find((d) => d.page === '/cd/b'), 6_000, 'the nudge after the grown cooldown');
    expect(second.at - declinedAt).toBeGreaterThanOrEqual(2_900);
  });

  it('the user chatting suppresses nudges (reactive) until reactive_timeout_seconds after their last message', async () => {
    await pushActions(t, { session: 's_chat', user: 'u_chat' }, [page('Home', '/home', 0)]);
    await chat(t, 'u_chat', 'how do I export?');
    const chattedAt = Date.now();
    await pushActions(t, { session: 's_chat', user: 'u_chat' }, [page('Exports', '/exports/new', 0)]);
    await waitFor(async () => withReason(await decisionsOf(t, 'u_chat'), 'reactive').length > 0, 2_000, 'a reactive suppression');
    const d = await waitFor(async () => sent(await decisionsOf(t, 'u_chat'))[0], 6_000, 'the nudge once the user stopped writing');
    expect(d.at - chattedAt).toBeGreaterThanOrEqual(1_900);
  });
});

describe('Proactive: caps (per session, per user per day, per product per minute, from env)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await boot({
      PROACTIVE_MIN_INTERVAL_SECONDS: '300',
      PROACTIVE_MAX_PER_USER_PER_DAY: '1',
      PROACTIVE_MAX_PER_PRODUCT_PER_MINUTE: '2',
      PROACTIVE_RULES_FILE: rulesFile(
        'caps.yml',
        `version: 1
settings: { cooldown_seconds: 0, interaction_timeout_seconds: 1, min_interval_seconds: 5, max_per_user_per_day: 50 }
rules:
  - id: any-page
    criteria: { url_matches: "/**" }
    cooldown_seconds: 0
    message: "Need a hand with {page}?"
`,
      ),
    });
  });
  afterAll(() => t.close());

  it('refuses what each cap does not allow, naming the cap', async () => {
    await pushActions(t, { product: 'capped', session: 's1', user: 'u_a' }, [page('A', '/a', 0)]);
    await waitFor(async () => sent(await decisionsOf(t, 'u_a')).length === 1, 3_000, 'the first nudge');
    // Same session, once the nudge went unanswered: the 300 s interval of PROACTIVE_MIN_INTERVAL_SECONDS (not the file's 5 s).
    await sleep(1_200);
    await pushActions(t, { product: 'capped', session: 's1', user: 'u_a' }, [page('B', '/b', 0)]);
    await waitFor(async () => withReason(await decisionsOf(t, 'u_a'), 'cap_session').length > 0, 3_000, 'cap_session');
    // Same user, another session: one per day (env wins over the file's 50).
    await pushActions(t, { product: 'capped', session: 's2', user: 'u_a' }, [page('C', '/c', 0)]);
    await waitFor(async () => withReason(await decisionsOf(t, 'u_a'), 'cap_user').length > 0, 3_000, 'cap_user');
    // Other users: the product allows two a minute.
    await pushActions(t, { product: 'capped', session: 's3', user: 'u_b' }, [page('A', '/a', 0)]);
    await waitFor(async () => sent(await decisionsOf(t, 'u_b')).length === 1, 3_000, 'u_b nudged');
    await pushActions(t, { product: 'capped', session: 's4', user: 'u_c' }, [page('A', '/a', 0)]);
    await waitFor(async () => withReason(await decisionsOf(t, 'u_c'), 'cap_product').length > 0, 3_000, 'cap_product');
    expect(sent(await decisionsOf(t, 'u_a'))).toHaveLength(1);
    expect(sent(await decisionsOf(t, 'u_c'))).toHaveLength(0);
    const metrics = await request(t.server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/proactive_decisions_total\{rule="any-page",outcome="suppressed"\} [3-9]/);
  });
});

describe('Proactive: shadow mode', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await boot({ PROACTIVE: 'shadow' });
  });
  afterAll(() => t.close());

  it('evaluates and logs what it would have sent, and sends nothing', async () => {
    const stream = await new SseReader().open(`${await listening(t)}/v1/users/u_shadow/events`, { authorization: 'Bearer test-key' });
    expect(stream.status).toBe(200);
    try {
      await pushActions(t, { session: 's_shadow', user: 'u_shadow' }, [
        page('Projects', '/projects', 40),
        click('Edit', '/projects/:id', 35),
        click('Edit', '/projects/:id', 25),
        click('Edit', '/projects/:id', 15),
      ]);
      const d = await waitFor(async () => withReason(await decisionsOf(t, 'u_shadow'), 'shadow')[0], 3_000, 'a shadow decision');
      expect(d).toMatchObject({ ruleId: 'bulk-edit-offer', outcome: 'suppressed', reason: 'shadow' });
      await sleep(300);
      expect(sent(await decisionsOf(t, 'u_shadow'))).toHaveLength(0);
      expect(stream.events('nudge')).toEqual([]);
    } finally {
      stream.close();
    }
    const health = await request(t.server).get('/healthz').expect(200);
    expect(JSON.stringify(health.body)).toContain('"mode":"shadow"');
  });
});

describe('Proactive: rules files are validated at boot', () => {
  it('a rules file with mistakes stops the boot with a RulesFileError naming each rule and field', async () => {
    const file = rulesFile(
      'bad.yml',
      `version: 1
rules:
  - id: broken-dwell
    criteria: { page_dwell: { min_seconds: -3 } }
    message: "Hi"
  - id: no-message
    criteria: { url_matches: "/x" }
`,
    );
    const boot = bootProactiveApp({ CHANNELS: 'rest', PROACTIVE_RULES_FILE: file });
    await expect(boot).rejects.toBeInstanceOf(RulesFileError);
    const err = (await boot.catch((e: unknown) => e)) as RulesFileError;
    expect(err.message).toMatch(/broken-dwell/);
    expect(err.message).toMatch(/min_seconds/);
    expect(err.message).toMatch(/no-message/);
    expect(err.message).toMatch(/message/);
  });

  it('a missing rules file stops the boot too', async () => {
    await expect(bootProactiveApp({ CHANNELS: 'rest', PROACTIVE_RULES_FILE: join(dir, 'nope.yml') })).rejects.toThrow(/nope\.yml[\s\S]*cannot read/);
  });
});

async function listening(t: TestApp): Promise<string> {
  const server = t.server;
  if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return `http://127.0.0.1:${addr.port}`;
}
