import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchChromium } from './support/chromium';
import { FakeOpenAiServer } from './support/fake-openai.server';
import { bootTestApp, type TestApp } from './support/test-app';

const API_KEY = 'demo-proactive-api-key';

/**
 * The recipes' scenario end to end in a real browser, with nothing published by hand: a
 * visitor of /demo saves three projects one by one, the demo rules (examples/demo/rules.yml)
 * fire through the proactive engine, the nudge reaches the widget over the visitor's event
 * stream, and the visitor's quick reply is answered as a reply to that nudge.
 */
// A headless Chromium and a booted app share two cores with the other suites: a generous ceiling for setup and steps.
jest.setTimeout(60_000);

describe('/demo: a real rule speaks first in the widget', () => {
  const llm = new FakeOpenAiServer();
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await llm.start();
    llm.respondWith(() => ({ text: 'Select the projects on the Projects page, then More → Bulk edit.' }));
    t = await bootTestApp({
      listen: true,
      env: {
        DEMO: 'true',
        DEMO_STEP_MS: '600000',
        USER_TOKEN_SECRET: 'demo-proactive-secret',
        API_KEYS: API_KEY,
        CHANNELS: 'rest',
        PROACTIVE: 'on',
        PROACTIVE_RULES_FILE: join(__dirname, '..', 'examples', 'demo', 'rules.yml'),
        LLM_PROVIDER: 'openai',
        OPENAI_BASE_URL: llm.url,
        OPENAI_API_KEY: 'test',
        LLM_MAX_RETRIES: '0',
        SUMMARIZER: 'none',
      },
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await llm.stop();
  });

  it('three projects saved one by one → the bulk-edit offer in the widget; "Show me" continues from it', async () => {
    await page.goto(`${t.url}/demo/projects`);
    const visitor = (await page.locator('script[data-user-id]').getAttribute('data-user-id'))!;
    for (const id of ['101', '102', '103']) {
      await page.goto(`${t.url}/demo/projects/${id}`);
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.waitForURL(`**/demo/projects?saved=${id}**`);
    }

    const nudge = page.locator('.msg.nudge');
    await nudge.waitFor({ timeout: 15_000 });
    await expect(nudge.textContent()).resolves.toContain('editing projects one by one?');
    await expect(page.locator('.quick button').allTextContents()).resolves.toEqual(['Show me', 'No thanks']);

    // The decision log says why the bot spoke, with the matched actions as evidence.
    const log = await fetch(`${t.url}/v1/users/${visitor}/proactive`, { headers: { authorization: `Bearer ${API_KEY}` } }).then((r) => r.json() as Promise<{ decisions: Array<{ ruleId: string; outcome: string; channel?: string }> }>);
    expect(log.decisions).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: 'demo-bulk-edit', outcome: 'sent', channel: 'rest' })]));

    await page.getByRole('button', { name: 'Show me' }).click();
    await eventually(async () => ((await page.locator('.msg.bot:not(.pending):not(.nudge)').count()) >= 1 ? true : undefined), 10_000, 'the answer to the quick reply');
    await expect(page.locator('.msg.bot:not(.pending):not(.nudge)').last().textContent()).resolves.toContain('More → Bulk edit');

    // The model saw the nudge as its own previous turn, right before the visitor's answer.
    const chat = llm.chatRequests().at(-1)!;
    const messages = chat.body.messages as Array<{ role: string; content: string }>;
    const answerAt = messages.findIndex((m) => m.role === 'user' && m.content.includes('Show me'));
    expect(answerAt).toBeGreaterThan(0);
    expect(messages.slice(0, answerAt).some((m) => m.role === 'assistant' && m.content.includes('editing projects one by one?'))).toBe(true);
  });
});
