import request from 'supertest';
import { Agent, fetch as undiciFetch } from 'undici';
import { CONSOLE_DECISIONS } from '../src/console/console.constants';
import { escapeHtml } from '../src/console/views/html';
import { pushActivity } from './support/console-activity';
import { bootProactiveApp, decisionsOf, pushActions, threeEdits, waitFor } from './support/proactive-app';
import { consoleCookie, consoleEnv, InMemoryConsoleDecisions } from './support/console';
import { bootTestApp, type TestApp } from './support/test-app';

/**
 * What the console shows, read over real HTTP: sessions pushed through POST /v1/activity,
 * a chat through POST /v1/chat, a decision from the decisions provider (an in-memory
 * implementation fed with test data), and the live stream's events.
 */
const HTML = { accept: 'text/html' };

async function nextEvent(reader: ReadableStreamDefaultReader<Uint8Array> | { read(): Promise<{ value?: Uint8Array; done: boolean }> }, name: string, matching: (data: string) => boolean): Promise<{ data: string; raw: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before a matching ${name} event`);
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split(/\r\n|\r|\n/);
      if (!lines.includes(`event: ${name}`)) continue;
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      if (matching(data)) return { data, raw: block };
    }
  }
}

describe('console pages', () => {
  const decisions = new InMemoryConsoleDecisions();
  let t: TestApp;
  let cookie: string;
  beforeAll(async () => {
    t = await bootTestApp({
      env: await consoleEnv({ CONSOLE_REFRESH_MS: '100', CHANNELS: 'rest', SUMMARIZER: 'none' }),
      override: (b) => b.overrideProvider(CONSOLE_DECISIONS).useValue(decisions),
      listen: true,
    });
    cookie = await consoleCookie(t);
    await pushActivity(t.server, {
      userId: 'u_jane', email: 'jane.doe@example.com', sessionId: 's_jane',
      actions: [
        { type: 'pageview', title: 'Viewed Projects', url: '/projects' },
        { title: 'Clicked Edit', url: '/projects/42/edit' },
      ],
    });
    await pushActivity(t.server, { sessionId: 's_anon', actions: [{ type: 'pageview', title: 'Viewed Pricing', url: '/pricing' }] });
    await pushActivity(t.server, { userId: '<img src=x onerror=alert(1)>', sessionId: 's_evil', actions: [{ title: '<script>alert("t")</script>', url: '/"><b>x' }] });
  });
  afterAll(() => t.close());
  const get = (path: string) => request(t.server).get(path).set(HTML).set('cookie', cookie);

  it('lists live sessions across users, anonymous ones included, with the current page and the actions in the window', async () => {
    const res = await get('/console').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('href="/console/users/u_jane"');
    expect(res.text).toContain('jane.doe@example.com');
    expect(res.text).toMatch(/title="Clicked Edit">\/projects\/42\/edit<\/td>/);
    expect(res.text).toMatch(/data-session="s_jane">[\s\S]*?<td class="num">2<\/td>/);
    expect(res.text).toContain('data-session="s_anon"');
    expect(res.text).toContain('anonymous');
  });

  it('escapes hostile user ids, titles and pages everywhere', async () => {
    const list = await get('/console').expect(200);
    expect(list.text).not.toContain('<img src=x');
    expect(list.text).not.toContain('<script>alert');
    expect(list.text).toContain(escapeHtml('<img src=x onerror=alert(1)>'));
    const timeline = await get(`/console/users/${encodeURIComponent('<img src=x onerror=alert(1)>')}`).expect(200);
    expect(timeline.text).not.toContain('<img src=x');
    expect(timeline.text).not.toContain('<script>alert');
    expect(timeline.text).not.toContain('"><b>x');
    expect(timeline.text).toContain(escapeHtml('<script>alert("t")</script>'));
  });

  it('filters by user id or email', async () => {
    const byEmail = await get('/console?q=JANE.DOE').expect(200);
    expect(byEmail.text).toContain('data-session="s_jane"');
    expect(byEmail.text).not.toContain('data-session="s_anon"');
    const none = await get('/console?q=nobody-here').expect(200);
    expect(none.text).toContain('No live sessions');
  });

  it("shows a user's timeline: pages as lanes, the current position, chat turns, the nudge with its reason, and the copilot's exact context", async () => {
    await request(t.server).post('/v1/chat').set('content-type', 'application/json').send({ userId: 'u_jane', message: 'How do I edit many projects?' }).expect(200);
    decisions.add('u_jane', {
      at: Date.now(), ruleId: 'bulk-edit-offer', outcome: 'suppressed', reason: 'quiet hours for this user', channel: 'rest',
      message: 'Want to edit them all at once?', evidence: [{ at: Date.now() - 2_000, label: 'Clicked Edit', canonicalUrl: '/projects/42/edit' }],
    });
    const res = await get('/console/users/u_jane').expect(200);
    expect(res.text).toContain('<svg class="timeline"');
    expect(res.text).toMatch(/class="lane-label"><title>\/projects<\/title>/);
    expect(res.text).toMatch(/class="lane-label"><title>\/projects\/42\/edit<\/title>/);
    expect(res.text).toContain('now here');
    expect(res.text).toContain('How do I edit many projects?');
    expect(res.text).toContain('<strong>rest</strong>');
    expect(res.text).toContain('Why: quiet hours for this user');
    expect(res.text).toContain('Want to edit them all at once?');
    expect(res.text).toContain('<code>bulk-edit-offer</code>');
    // The same block GET /v1/users/:id/context (the copilot's own renderer) returns.
    const ctx = await request(t.server).get('/v1/users/u_jane/context').expect(200);
    expect(ctx.body.context).toContain('Clicked Edit');
    expect(res.text).toContain(`<pre id="copilot-context">${escapeHtml(ctx.body.context)}</pre>`);
    // The list shows the latest decision too.
    expect((await get('/console').expect(200)).text).toMatch(/outcome-suppressed[^>]*>suppressed<\/span> <code>bulk-edit-offer<\/code>/);
  });

  it('lists the rolling summaries as they were made, not only the latest', async () => {
    const summary = (text: string) =>
      request(t.server).post('/v1/activity').set('content-type', 'application/json').send(JSON.stringify({ type: 'summary', product_id: 'acme', session_id: 's_jane', summary: text, replaces: 0 })).expect(202);
    await summary('Jane browsed the projects list.');
    await summary('Jane opened project 42 to <edit> it.');
    const res = await get('/console/users/u_jane').expect(200);
    const first = res.text.indexOf('Jane opened project 42 to &lt;edit&gt; it.');
    const second = res.text.indexOf('Jane browsed the projects list.');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(res.text).toContain('by the connector');
    expect(res.text).toContain('<g class="summary">');
  });

  it('answers 404 with a page for a user never seen', async () => {
    const res = await get('/console/users/u_nobody').expect(404);
    expect(res.text).toContain('No activity for');
  });

  it('pushes the session rows again over server-sent events when new activity arrives', async () => {
    // A client of its own, destroyed afterwards: a pooled connection left open would hold the server's close.
    const client = new Agent();
    const ac = new AbortController();
    const res = await undiciFetch(`${t.url}/console/sessions/stream`, { headers: { cookie }, signal: ac.signal, dispatcher: client });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    try {
      const { data: first } = await nextEvent(reader, 'sessions', (d) => d.includes('s_jane'));
      expect(first).not.toContain('u_late');
      // A title carrying line breaks must not end the event or add a field of its own.
      await pushActivity(t.server, { userId: 'u_late', sessionId: 's_late', actions: [{ title: 'Opened Billing\r\nevent: evil\r\rdata: x', url: '/billing' }] });
      const { data: next, raw } = await nextEvent(reader, 'sessions', (d) => d.includes('s_late'));
      expect(next).toContain('href="/console/users/u_late"');
      expect(raw.split(/\r\n|\r|\n/).filter((line) => !line.startsWith('data: '))).toEqual(['event: sessions']);
      expect(next).toMatch(/data-session="s_late">[\s\S]*Opened Billing[\s\S]*<\/tr>/);
    } finally {
      ac.abort();
      await reader.cancel().catch(() => undefined);
      await client.destroy();
    }
  });

  it('shows sources, queue, LLM, store and a chart of replies per minute on the system page', async () => {
    const res = await get('/console/system').expect(200);
    for (const text of ['Session store', 'Job queue', 'LLM provider', 'Ingestion', 'Replies and nudges per minute', '<svg class="rates"', 'Recent errors']) expect(res.text).toContain(text);
    expect(res.text).toMatch(/data-source="push"><td>push<\/td><td class="num">\d+<\/td>/);
    expect(res.text).toContain('nudges sent');
  });
});

describe('console without a proactive engine', () => {
  it('says the proactive engine is off on the list, the timeline and the system page', async () => {
    const t = await bootTestApp({ env: await consoleEnv() });
    try {
      const cookie = await consoleCookie(t);
      await pushActivity(t.server, { userId: 'u_solo', sessionId: 's_solo', actions: [{ title: 'Viewed Reports', url: '/reports' }] });
      const get = (path: string) => request(t.server).get(path).set(HTML).set('cookie', cookie).expect(200);
      expect((await get('/console')).text).toContain('proactive engine off');
      expect((await get('/console/users/u_solo')).text).toContain('proactive engine off');
      expect((await get('/console/system')).text).toContain('proactive engine off');
    } finally {
      await t.close();
    }
  });
});

describe('console with the proactive engine running', () => {
  it("shows the engine's own decisions (its decision log bound to CONSOLE_DECISIONS) on the list, the timeline and the system page", async () => {
    const t = await bootProactiveApp({ ...(await consoleEnv()), CHANNELS: 'rest', SUMMARIZER: 'none' });
    try {
      const cookie = await consoleCookie(t);
      await pushActions(t, { session: 'app_wired', user: 'u_wired' }, threeEdits());
      const [decision] = await waitFor(async () => {
        const list = await decisionsOf(t, 'u_wired');
        return list.length > 0 && list;
      }, 5_000, 'a decision');
      const get = (path: string) => request(t.server).get(path).set(HTML).set('cookie', cookie).expect(200);
      const timeline = (await get('/console/users/u_wired')).text;
      expect(timeline).not.toContain('proactive engine off');
      expect(timeline).toContain(`<code>${decision.ruleId}</code>`);
      expect(timeline).toContain(`>${decision.outcome}</strong>`);
      if (decision.reason) expect(timeline).toContain(`Why: ${decision.reason}`);
      expect(timeline).toContain(escapeHtml(decision.message));
      expect((await get('/console')).text).toMatch(new RegExp(`outcome-${decision.outcome}[^>]*>${decision.outcome}</span> <code>${decision.ruleId}</code>`));
      expect((await get('/console/system')).text).toContain('nudges sent');
    } finally {
      await t.close();
    }
  });
});
