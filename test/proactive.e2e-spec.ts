import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { FakeCrispServer } from './support/fake-crisp.server';
import { FakeOpenAiServer } from './support/fake-openai.server';
import { HOOK_KEY, WEBSITE, bootProactiveApp, click, crispEnv, decisionsOf, page, pushActions, threeEdits, waitFor } from './support/proactive-app';
import type { TestApp } from './support/test-app';

/**
 * The recipes' promise, through the real HTTP paths: a user edits projects one by one,
 * the copilot offers the bulk editor in their Crisp session without being asked, and
 * the user's "yes" is answered as a reply to that offer.
 */
/** Crisp through the fake Crisp API, the model through the fake OpenAI-compatible server, no retries, no summaries. */
const crispAndModelEnv = (crispUrl: string, llmUrl: string): Record<string, string> => ({
  CHANNELS: 'rest,crisp',
  ...crispEnv(crispUrl),
  LLM_PROVIDER: 'openai',
  OPENAI_BASE_URL: llmUrl,
  OPENAI_API_KEY: 'test',
  LLM_MAX_RETRIES: '0',
  SUMMARIZER: 'none',
});

describe('Proactive nudges on Crisp (PROACTIVE=on, default rules)', () => {
  const crisp = new FakeCrispServer();
  const llm = new FakeOpenAiServer();
  let t: TestApp;
  const hook = (body: unknown) => request(t.server).post('/crisp/hooks').query({ key: HOOK_KEY }).set('content-type', 'application/json').send(JSON.stringify(body)).expect(200);
  const setData = (session: string, data: Record<string, unknown>) => hook({ website_id: WEBSITE, event: 'session:set_data', data: { website_id: WEBSITE, session_id: session, data } });
  const visitorSays = (session: string, content: string, fingerprint: number) =>
    hook({ website_id: WEBSITE, event: 'message:send', data: { website_id: WEBSITE, session_id: session, type: 'text', from: 'user', origin: 'chat', content, fingerprint, timestamp: Date.now() } });

  beforeAll(async () => {
    await crisp.start();
    await llm.start();
    t = await bootProactiveApp(crispAndModelEnv(crisp.url, llm.url));
  });
  afterAll(async () => {
    await t.close();
    await crisp.stop();
    await llm.stop();
  });
  beforeEach(() => {
    crisp.reset();
    llm.requests.length = 0;
    llm.respondWith(() => ({ text: 'Select the projects on the Projects page, then More → Bulk edit.' }));
  });

  it('three "Edit" clicks on /projects/:id → one bulk-editor offer in the Crisp session; "yes" continues from it', async () => {
    await setData('session_casey', { user_id: 'u_casey' });
    await pushActions(t, { session: 'app_casey', user: 'u_casey', email: 'casey.jones@example.com' }, threeEdits());

    const [offer] = await waitFor(() => (crisp.messagesSent('session_casey').length ? crisp.messagesSent('session_casey') : undefined), 5_000, 'the offer in Crisp');
    expect(offer.websiteId).toBe(WEBSITE);
    expect(offer.body).toEqual({
      type: 'picker',
      from: 'operator',
      origin: 'chat',
      content: {
        id: expect.stringMatching(/^nudge-/),
        text: 'Editing projects one by one? You can change several at once: select them on the Projects page, then More → Bulk edit. Want me to show you?',
        choices: [
          { value: 'choice_1', label: 'Show me', selected: false },
          { value: 'choice_2', label: 'No thanks', selected: false },
        ],
      },
      user: { nickname: 'Acme Copilot' },
    });
    // Nothing asked the model to speak first: the default rule is a template.
    expect(llm.chatRequests()).toHaveLength(0);

    // More activity of the same kind does not bring a second copy.
    await pushActions(t, { session: 'app_casey', user: 'u_casey' }, threeEdits(30));
    await new Promise((r) => setTimeout(r, 300));
    expect(crisp.messagesSent('session_casey')).toHaveLength(1);

    await visitorSays('session_casey', 'yes please', 9001);
    const reply = await waitFor(() => crisp.messagesSent('session_casey')[1], 5_000, 'the reply');
    expect(reply.body).toMatchObject({ type: 'text', content: 'Select the projects on the Projects page, then More → Bulk edit.' });
    const messages = llm.chatRequests()[0].body.messages as Array<{ role: string; content: string }>;
    const assistant = messages.filter((m) => m.role === 'assistant');
    expect(assistant.map((m) => m.content)).toEqual([offer.body.content.text]);
    expect(messages.at(-1)!.content).toContain('yes please');

    const decisions = await decisionsOf(t, 'u_casey');
    const sent = decisions.filter((d) => d.outcome === 'sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ ruleId: 'bulk-edit-offer', trigger: 'repeated_action', page: '/projects/:id', channel: 'crisp', message: offer.body.content.text });
    expect(sent[0].evidence.map((e: { title: string }) => e.title)).toEqual(["Clicked 'Edit'", "Clicked 'Edit'", "Clicked 'Edit'"]);
    const metrics = await request(t.server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/proactive_decisions_total\{rule="bulk-edit-offer",outcome="sent"\} 1/);
    const health = await request(t.server).get('/healthz').expect(200);
    expect(health.body.components?.proactive ?? health.body.proactive).toMatchObject({ status: 'up', breakers: { crisp: 'closed', rest: 'closed' } });
  });

  it('a click on the offer\'s "Show me" (message:updated on its picker) is the visitor\'s answer: replied to once, in the offer\'s context', async () => {
    await setData('session_robin', { user_id: 'u_robin' });
    await pushActions(t, { session: 'app_robin', user: 'u_robin' }, threeEdits());
    const [offer] = await waitFor(() => (crisp.messagesSent('session_robin').length ? crisp.messagesSent('session_robin') : undefined), 5_000, 'the offer in Crisp');
    const picker = offer.body.content as { id: string; text: string; choices: Array<{ value: string; label: string; selected: boolean }> };
    // What Crisp sends when the visitor picks a choice (Events.ts EventsMessageUpdated: fingerprint + the picker content).
    const updated = (content: unknown, fingerprint = 5_550_001) => hook({ website_id: WEBSITE, event: 'message:updated', data: { website_id: WEBSITE, session_id: 'session_robin', inbox_id: null, fingerprint, content } });
    const clicked = { ...picker, choices: picker.choices.map((c) => ({ ...c, selected: c.label === 'Show me' })) };

    // Edits that are not an answer: a text edit, a picker that is not ours, our picker with nothing selected.
    expect((await updated('an edited text')).body).toEqual({ status: 'ok' });
    await updated({ id: 'routing', text: 'What is your question about?', choices: [{ value: 'sales', label: 'Sales', selected: true }] });
    await updated(picker);
    await new Promise((r) => setTimeout(r, 300));
    expect(crisp.messagesSent('session_robin')).toHaveLength(1);

    await updated(clicked);
    await updated(clicked); // Crisp redelivers
    const reply = await waitFor(() => crisp.messagesSent('session_robin')[1], 5_000, 'the reply to the click');
    expect(reply.body).toMatchObject({ type: 'text', content: 'Select the projects on the Projects page, then More → Bulk edit.' });
    const messages = llm.chatRequests()[0].body.messages as Array<{ role: string; content: string }>;
    expect(messages.filter((m) => m.role === 'assistant').map((m) => m.content)).toEqual([picker.text]);
    expect(messages.at(-1)!.content).toContain('Show me');
    await new Promise((r) => setTimeout(r, 300));
    expect(crisp.messagesSent('session_robin')).toHaveLength(2);
    expect(llm.chatRequests()).toHaveLength(1);

    // A malformed picker update on one of ours is refused quietly (200, nothing sent), never a 5xx.
    await updated({ id: picker.id, choices: 'not a list' });
    const metrics = await request(t.server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/crisp_hooks_total\{event="message:updated",outcome="queued"\} 1/);
    expect(metrics.text).toMatch(/crisp_hooks_total\{event="message:updated",outcome="duplicate"\} 1/);
    expect(metrics.text).toMatch(/crisp_hooks_total\{event="message:updated",outcome="invalid"\} 1/);
  });
});

describe('Proactive with the model: llm mode and the judge (through the OpenAI-compatible API)', () => {
  const crisp = new FakeCrispServer();
  const llm = new FakeOpenAiServer();
  const dir = mkdtempSync(join(tmpdir(), 'proactive-llm-'));
  let t: TestApp;
  const setData = (session: string, userId: string) =>
    request(t.server).post('/crisp/hooks').query({ key: HOOK_KEY }).set('content-type', 'application/json')
      .send(JSON.stringify({ website_id: WEBSITE, event: 'session:set_data', data: { website_id: WEBSITE, session_id: session, data: { user_id: userId } } })).expect(200);
  const systemOf = (r: { body: any }) => String(r.body.messages.find((m: { role: string }) => m.role === 'system')?.content ?? '');

  beforeAll(async () => {
    await crisp.start();
    await llm.start();
    const rules = join(dir, 'llm.yml');
    writeFileSync(
      rules,
      `version: 1
rules:
  - id: reports-help
    criteria: { url_matches: "/reports/**" }
    mode: llm
    intent: The user opened reports; offer help with filters.
    message: "Need a hand with {page}?"
  - id: pricing-judged
    criteria: { url_matches: "/pricing" }
    judge: true
    message: "Comparing plans?"
`,
    );
    t = await bootProactiveApp({ ...crispAndModelEnv(crisp.url, llm.url), PROACTIVE_RULES_FILE: rules });
  });
  afterAll(async () => {
    await t.close();
    await crisp.stop();
    await llm.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('llm mode: the model writes the nudge; when it fails, the template goes out (sent, reason llm_failed)', async () => {
    llm.respondWith(() => ({ text: 'Building a report? I can show you how filters work.' }));
    await setData('session_llm', 'u_llm');
    await pushActions(t, { session: 'app_llm', user: 'u_llm' }, [page('Reports', '/reports/sales', 1)]);
    const [msg] = await waitFor(() => crisp.messagesSent('session_llm').length > 0 && crisp.messagesSent('session_llm'), 5_000, 'the written nudge');
    expect(msg.body).toMatchObject({ type: 'text', content: 'Building a report? I can show you how filters work.' });
    expect(systemOf(llm.chatRequests()[0])).toMatch(/unprompted message/);

    llm.respondWith(() => ({ status: 500 }));
    await setData('session_llm2', 'u_llm2');
    await pushActions(t, { session: 'app_llm2', user: 'u_llm2' }, [page('Reports', '/reports/costs', 1)]);
    const sent = await waitFor(async () => (await decisionsOf(t, 'u_llm2')).find((d) => d.outcome === 'sent'), 5_000, 'the template nudge');
    expect(sent).toMatchObject({ ruleId: 'reports-help', reason: 'llm_failed', message: 'Need a hand with Reports?', channel: 'crisp' });
    expect(crisp.messagesSent('session_llm2')[0].body.content).toBe('Need a hand with Reports?');
  });

  it('judge: anything but a strict {"speak": true} means silence (judge_rejected); a yes lets the nudge out', async () => {
    llm.respondWith(() => ({ text: 'Sure, I think it would help!' }));
    await setData('session_judge', 'u_judge');
    await pushActions(t, { session: 'app_judge', user: 'u_judge' }, [page('Pricing', '/pricing', 1)]);
    const rejected = await waitFor(async () => (await decisionsOf(t, 'u_judge')).find((d) => d.reason === 'judge_rejected'), 5_000, 'the rejection');
    expect(rejected).toMatchObject({ ruleId: 'pricing-judged', outcome: 'suppressed' });
    expect(crisp.messagesSent('session_judge')).toHaveLength(0);

    llm.respondWith(() => ({ text: '{"speak": true, "reason": "comparing plans for a while"}' }));
    await setData('session_judge2', 'u_judge2');
    await pushActions(t, { session: 'app_judge2', user: 'u_judge2' }, [page('Pricing', '/pricing', 1), click('Compare', '/pricing', 0.5)]);
    await waitFor(() => crisp.messagesSent('session_judge2').length > 0, 5_000, 'the judged nudge');
    expect(crisp.messagesSent('session_judge2')[0].body.content).toBe('Comparing plans?');
  });
});
