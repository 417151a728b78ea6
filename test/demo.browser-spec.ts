import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { UserEventBus } from '../src/user-events/user-event-bus.port';
import { USER_EVENT_BUS } from '../src/user-events/user-events.constants';
import { eventually, launchChromium } from './support/chromium';
import { bootTestApp, type TestApp } from './support/test-app';

const API_KEY = 'demo-test-api-key';
/** UPDATE_SCREENSHOTS=1 refreshes the README's pictures; otherwise they go to a scratch folder. */
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(__dirname, '..', 'docs', 'images') : join(__dirname, '..', 'coverage', 'screenshots');

/**
 * The demo product in real headless Chromium: a visitor's clicks go through the served
 * snippet to the user's context, the chat widget answers from that context, and an event
 * published on the user's feed appears in the widget as a nudge with its quick replies.
 */
// A headless Chromium and a booted app share two cores with the other suites: a generous ceiling for setup and steps.
jest.setTimeout(60_000);

describe('/demo in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let visitor: string;

  const context = async (userId: string): Promise<string | undefined> => {
    const res = await fetch(`${t.url}/v1/users/${encodeURIComponent(userId)}/context`, { headers: { authorization: `Bearer ${API_KEY}` } });
    return res.status === 200 ? ((await res.json()) as { context: string }).context : undefined;
  };
  const contextMatching = (userId: string, ...parts: Array<string | RegExp>) =>
    eventually(async () => {
      const ctx = await context(userId);
      return ctx && parts.every((p) => (typeof p === 'string' ? ctx.includes(p) : p.test(ctx))) ? ctx : undefined;
    }, 10_000, `the context of ${userId} to contain ${parts.join(', ')}`);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await bootTestApp({
      listen: true,
      // The simulated users step every ten minutes here: the test drives its own visitor.
      env: { DEMO: 'true', DEMO_STEP_MS: '600000', USER_TOKEN_SECRET: 'demo-browser-secret', API_KEYS: API_KEY, SUMMARIZER: 'none' },
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('captures the clicks of a visitor of /demo into their context', async () => {
    await page.goto(`${t.url}/demo/projects`);
    visitor = (await page.locator('script[data-user-id]').getAttribute('data-user-id'))!;
    expect(visitor).toMatch(/^visitor-[a-z0-9]{10}$/);
    await page.getByRole('link', { name: 'Website redesign' }).click();
    await page.waitForURL('**/demo/projects/101');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL('**/demo/projects?saved=101**');
    const ctx = await contextMatching(
      visitor,
      "Clicked 'Website redesign' — /demo/projects",
      "Submitted 'Save changes' — /demo/projects/:id",
      // The page view after the save arrives last (its batch is flushed from the new page).
      /Viewed Projects — \/demo\/projects {2}← current position$/,
    );
    expect(ctx).toContain('Viewed Website redesign — /demo/projects/:id');
    // Nobody else's activity: the simulated users have not stepped, and no other visitor exists.
    expect(await context('demo-maya')).toBeUndefined();
    await page.screenshot({ path: join(SHOTS, 'demo.png') });
  });

  it('answers in the chat widget from what the visitor just did', async () => {
    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('textbox', { name: 'Your message' }).fill('What should I do next?');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('.msg.bot:not(.pending)').last();
    await answer.waitFor({ timeout: 10_000 });
    // The offline provider answers from the grounding: the page the visitor is on and their last action.
    await expect(answer.textContent()).resolves.toContain("You're currently on /demo/projects");
    await page.screenshot({ path: join(SHOTS, 'demo-chat.png') });
  });

  it('shows a nudge published to the visitor\'s feed, with its quick replies as buttons', async () => {
    const bus = t.app.get<UserEventBus>(USER_EVENT_BUS);
    await eventually(async () => (bus.listenerCount() > 0 ? true : undefined), 10_000, 'the widget to open its event stream');
    await bus.publish({ userId: visitor, productId: 'demo' }, 'nudge', {
      nudgeId: 'n-demo-1',
      ruleId: 'demo-bulk-edit',
      message: 'Editing projects one by one? You can change several at once: select them on the Projects page, then More → Bulk edit.',
      quickReplies: ['Show me', 'No thanks'],
      channel: 'browser',
      at: Date.now(),
    });
    const nudge = page.locator('.msg.nudge');
    await nudge.waitFor({ timeout: 10_000 });
    await expect(nudge.textContent()).resolves.toContain('Editing projects one by one?');
    await expect(page.locator('.quick button').allTextContents()).resolves.toEqual(['Show me', 'No thanks']);
    await page.screenshot({ path: join(SHOTS, 'demo-nudge.png') });
    // A quick reply is sent as the visitor's message, and answered.
    await page.getByRole('button', { name: 'Show me' }).click();
    await page.locator('.msg.user', { hasText: 'Show me' }).waitFor({ timeout: 10_000 });
    await eventually(async () => ((await page.locator('.msg.bot:not(.pending):not(.nudge)').count()) >= 2 ? true : undefined), 10_000, 'the answer to the quick reply');
  });

  it('captures SPA route changes (history API) as page views', async () => {
    // Runs in the page (the test project has no DOM types): what a client-side router does on navigation.
    await page.evaluate(`history.pushState({}, '', '/demo/reports?view=spa'); document.title = 'Reports (client-side)';`);
    await contextMatching(visitor, /Viewed Reports \(client-side\) — \/demo\/reports {2}← current position$/);
  });
});
