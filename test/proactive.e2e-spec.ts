import request from 'supertest';
import { FakeCrispServer } from './support/fake-crisp.server';
import { FakeOpenAiServer } from './support/fake-openai.server';
import { HOOK_KEY, WEBSITE, bootProactiveApp, crispEnv, decisionsOf, pushActions, threeEdits, waitFor } from './support/proactive-app';
import type { TestApp } from './support/test-app';

/**
 * The recipes' promise, through the real HTTP paths: a user edits projects one by one,
 * the copilot offers the bulk editor in their Crisp session without being asked, and
 * the user's "yes" is answered as a reply to that offer.
 */
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
    t = await bootProactiveApp({
      CHANNELS: 'rest,crisp',
      ...crispEnv(crisp.url),
      LLM_PROVIDER: 'openai',
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: 'test',
      LLM_MAX_RETRIES: '0',
      SUMMARIZER: 'none',
    });
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
});
