import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { CONSOLE_DECISIONS } from '../src/console/console.constants';
import { launchChromium } from './support/chromium';
import { pushActivity } from './support/console-activity';
import { consoleEnv, CONSOLE_TEST_TOKEN, InMemoryConsoleDecisions } from './support/console';
import { bootTestApp, type TestApp } from './support/test-app';

/**
 * The console in real headless Chromium against the real app on 127.0.0.1: activity
 * pushed through POST /v1/activity shows up in the session list without a reload, the
 * timeline shows the nudge and its reason and updates live, and nothing is shown
 * without signing in. SAVE_SCREENSHOTS=1 writes the README's screenshots to docs/images/.
 */
jest.setTimeout(60_000);
// Functions passed to page.evaluate run in the page: `globalThis` there is its window (this project compiles without DOM types).

const SHOTS = process.env.SAVE_SCREENSHOTS === '1' ? join(__dirname, '..', 'docs', 'images') : mkdtempSync(join(tmpdir(), 'console-shots-'));

// A headless Chromium and a booted app share two cores with the other suites: a generous ceiling for setup and steps.
jest.setTimeout(60_000);

describe('operator console in Chromium', () => {
  const decisions = new InMemoryConsoleDecisions();
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [t, browser] = await Promise.all([
      (async () =>
        bootTestApp({
          env: await consoleEnv({ CONSOLE_REFRESH_MS: '200', CHANNELS: 'rest', SUMMARIZER: 'none' }),
          override: (b) => b.overrideProvider(CONSOLE_DECISIONS).useValue(decisions),
          listen: true,
        }))(),
      launchChromium(),
    ]);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 820 } })).newPage();
    await pushActivity(t.server, {
      userId: 'u_jane', email: 'jane.doe@example.com', sessionId: 'ps_jane',
      actions: [
        { type: 'pageview', title: 'Viewed Dashboard', url: '/dashboard' },
        { type: 'pageview', title: 'Viewed Projects', url: '/projects' },
        { title: "Clicked 'Edit' on Website redesign", url: '/projects/12/edit' },
        { title: 'Saved project', url: '/projects/12/edit' },
        { type: 'pageview', title: 'Viewed Projects', url: '/projects' },
        { title: "Clicked 'Edit' on Mobile app", url: '/projects/13/edit' },
        { title: 'Saved project', url: '/projects/13/edit' },
        { type: 'pageview', title: 'Viewed Projects', url: '/projects' },
        { title: "Clicked 'Edit' on Q3 launch", url: '/projects/14/edit' },
      ],
    });
    await pushActivity(t.server, {
      userId: 'u_omar', email: 'omar@example.com', sessionId: 'ps_omar',
      actions: [
        { type: 'pageview', title: 'Viewed Billing', url: '/settings/billing' },
        { type: 'pageview', title: 'Viewed Settings', url: '/settings' },
        { type: 'pageview', title: 'Viewed Billing', url: '/settings/billing' },
      ],
    });
    await pushActivity(t.server, { sessionId: 'ps_anon', actions: [{ type: 'pageview', title: 'Viewed Pricing', url: '/pricing' }] });
    await request(t.server).post('/v1/chat').set('content-type', 'application/json').send({ userId: 'u_jane', message: 'Is there a faster way to edit these projects?' }).expect(200);
    decisions.add('u_jane', {
      at: Date.now() - 1_500,
      ruleId: 'bulk-edit-offer',
      outcome: 'sent',
      reason: 'edited 3 projects one by one within 5 minutes',
      channel: 'rest',
      message: 'Editing several projects? Select them in the list and use Bulk edit.',
      evidence: [
        { at: Date.now() - 8_000, label: "Clicked 'Edit' on Website redesign", canonicalUrl: '/projects/12/edit' },
        { at: Date.now() - 5_000, label: "Clicked 'Edit' on Mobile app", canonicalUrl: '/projects/13/edit' },
        { at: Date.now() - 2_000, label: "Clicked 'Edit' on Q3 launch", canonicalUrl: '/projects/14/edit' },
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('refuses without credentials: the console sends the browser to the sign-in form and its stream answers 401', async () => {
    await page.goto(`${t.url}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    expect(await page.locator('#session-rows').count()).toBe(0);
    expect(await page.content()).not.toContain('u_jane');
    const status = await page.evaluate(async () => (await fetch('/console/sessions/stream')).status);
    expect(status).toBe(401);
    await page.fill('input[name=token]', 'not-the-console-token');
    await page.click('button[type=submit]');
    await page.locator('#login-error').getByText('Wrong credentials').waitFor();
  });

  it('signs in and lists the live sessions, then shows new activity without a reload', async () => {
    await page.fill('input[name=token]', CONSOLE_TEST_TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(`${t.url}/console`);
    await page.locator('#live[data-state=live]').waitFor();
    const rows = page.locator('#session-rows tr');
    expect(await rows.count()).toBe(3);
    await page.locator('tr[data-user=u_jane] td.page').getByText('/projects/14/edit').waitFor();
    await page.locator('tr[data-user=u_jane]').getByText('sent').waitFor();

    await page.evaluate(() => ((globalThis as any).notReloaded = true));
    await pushActivity(t.server, { userId: 'u_lena', email: 'lena@example.com', sessionId: 'ps_lena', actions: [{ type: 'pageview', title: 'Viewed Team', url: '/team/invite' }] });
    await page.locator('tr[data-user=u_lena]').waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => (globalThis as any).notReloaded)).toBe(true);
    expect(Number(await page.locator('#session-rows').getAttribute('data-updates'))).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'console-sessions.png'), fullPage: true });

    await page.fill('#q', 'omar@');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#session-rows tr').length === 1 && Boolean((globalThis as any).document.querySelector('tr[data-user=u_omar]')));
    expect(page.url()).toContain('?q=omar%40');
    await page.fill('#q', '');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#session-rows tr').length === 4);
  });

  it("opens a user's timeline: pages as lanes, the current position, the nudge with its reason and evidence, the chat, the context", async () => {
    await page.click('tr[data-user=u_jane] a');
    await page.waitForURL(`${t.url}/console/users/u_jane`);
    const svg = page.locator('svg.timeline');
    await svg.waitFor();
    for (const lane of ['/dashboard', '/projects', '/projects/12/edit', '/projects/14/edit', 'Chat', 'Nudges']) {
      expect(await svg.locator('text.lane-label', { hasText: lane }).count()).toBeGreaterThan(0);
    }
    await svg.locator('.now').getByText('now here').waitFor();
    expect(await svg.locator('circle.act').count()).toBe(9);
    expect(await svg.locator('polygon.nudge.outcome-sent').count()).toBe(1);
    const nudge = page.locator('article.decision');
    await nudge.getByText('Why: edited 3 projects one by one within 5 minutes').waitFor();
    await nudge.getByText('Select them in the list and use Bulk edit.').waitFor();
    expect(await nudge.locator('.evidence li').count()).toBe(3);
    await page.locator('.chats').getByText('Is there a faster way to edit these projects?').waitFor();
    expect(await page.locator('#copilot-context').textContent()).toContain("Clicked 'Edit' on Q3 launch");
  });

  it('updates the timeline without a reload when the user does something new', async () => {
    await page.locator('#live[data-state=live]').waitFor();
    await page.evaluate(() => ((globalThis as any).notReloaded = true));
    await pushActivity(t.server, { userId: 'u_jane', sessionId: 'ps_jane', actions: [{ title: "Clicked 'Bulk edit'", url: '/projects' }] });
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('svg.timeline circle.act').length === 10, undefined, { timeout: 10_000 });
    expect(await page.locator('#copilot-context').textContent()).toContain("Clicked 'Bulk edit'");
    expect(await page.evaluate(() => (globalThis as any).notReloaded)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'console-timeline.png'), fullPage: true });
  });

  it('shows the system page: components, sources, and replies and nudges per minute', async () => {
    await page.click('nav a[href="/console/system"]');
    await page.waitForURL(`${t.url}/console/system`);
    for (const panel of ['Session store', 'Job queue', 'LLM provider']) await page.locator(`article.panel[data-component="${panel}"]`).waitFor();
    await page.locator('tr[data-source=push]').waitFor();
    // One reply and one nudge were made moments ago: in this minute's bar, or the previous one's when the test crossed a minute.
    const heights = await page.evaluate(() =>
      ['replies', 'nudges'].map((kind) => {
        const bars = (globalThis as any).document.querySelectorAll(`svg.rates rect.bar.${kind}`);
        return Number(bars[bars.length - 1].getAttribute('height')) + Number(bars[bars.length - 2].getAttribute('height'));
      }),
    );
    expect(heights.every((h: number) => h > 0)).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'console-system.png'), fullPage: true });
  });

  it('signs out', async () => {
    await page.click('#logout');
    await page.waitForURL(`${t.url}/console/login`);
    await page.goto(`${t.url}/console/system`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
  });
});
