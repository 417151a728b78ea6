import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { FakeCrispServer } from './support/fake-crisp.server';
import { FakeOpenAiServer } from './support/fake-openai.server';
import { readJsonFixture } from './support/fixtures';

const ROOT = join(__dirname, '..');

/** Runs src/main.ts as a real process (transpile-only ts-node), as `npm start` would run dist/main.js. */
function start(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    // A fresh environment: nothing from the developer's shell or .env leaks in (.env is read from cwd only if present).
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));

async function waitFor(check: () => RegExpMatchArray | null, ms: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = check();
    if (m) return m;
    if (Date.now() > deadline) throw new Error('timed out waiting for process output');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the server process', () => {
  it('refuses to start on a bad variable, naming it, with exit code 1', async () => {
    const { child, output } = start({ MAX_ACTIONS: 'lots', NODE_ENV: 'development' });
    expect(await exited(child)).toBe(1);
    expect(output()).toContain('refusing to start');
    expect(output()).toContain('MAX_ACTIONS');
  }, 30_000);

  it('refuses an open endpoint in production unless ALLOW_UNAUTHENTICATED=true', async () => {
    const { child, output } = start({ NODE_ENV: 'production' });
    expect(await exited(child)).toBe(1);
    expect(output()).toContain('CONNECTOR_WEBHOOK_SECRET');
    expect(output()).toContain('ALLOW_UNAUTHENTICATED=true');
  }, 30_000);

  it('serves with embedded defaults, logs JSON without secrets, and shuts down cleanly on SIGTERM', async () => {
    const { child, output } = start({ NODE_ENV: 'development', API_KEYS: 'k-very-secret' });
    const [, port] = await waitFor(() => output().match(/listening on http:\/\/127\.0\.0\.1:(\d+)/), 25_000);
    const base = `http://127.0.0.1:${port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ctx = await fetch(`${base}/v1/users/nobody/context?token=leak-me&key=also-secret`, { headers: { authorization: 'Bearer k-very-secret', 'x-request-id': 'req-abc' } });
    // Express decodes parameter names, so an encoded name must be redacted like the plain one.
    await fetch(`${base}/v1/users/nobody/context?%6Bey=encoded-name-secret&%74oken=second-encoded-secret&plain=visible`, { headers: { authorization: 'Bearer k-very-secret' } });
    expect(ctx.status).toBe(404);
    expect(ctx.headers.get('x-request-id')).toBe('req-abc');
    await waitFor(() => output().match(/"id":"req-abc"/), 5_000);

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    const log = output();
    expect(log).toContain('shutdown complete');
    expect(log).not.toContain('k-very-secret');
    expect(log).not.toContain('leak-me');
    expect(log).not.toContain('also-secret');
    expect(log).not.toContain('encoded-name-secret');
    expect(log).not.toContain('second-encoded-secret');
    expect(log).toContain('plain=visible');
    expect(log).toContain('token=[REDACTED]');
    // every log line is structured JSON
    for (const line of log.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    // One banner line says where it listens and what it runs with; another lists what is open.
    const banner = log.trim().split('\n').map((l) => JSON.parse(l)).find((l) => typeof l.msg === 'string' && l.msg.startsWith('activity-copilot listening on'));
    expect(banner.msg).toBe(
      `activity-copilot listening on http://127.0.0.1:${port} · docs http://127.0.0.1:${port}/docs · metrics http://127.0.0.1:${port}/metrics · llm offline (no AI answers) · channels rest · sources push,posthog · store memory · queue memory`,
    );
    expect(log).toMatch(/open endpoints \(no secret configured\): \/v1\/activity, \/v1\/activity\/posthog, \/metrics, \/docs/);
  }, 40_000);

  it('in production with the offline provider, warns at boot that users get non-AI answers', async () => {
    const { child, output } = start({ NODE_ENV: 'production', API_KEYS: 'k', CONNECTOR_WEBHOOK_SECRET: 'c', POSTHOG_WEBHOOK_SECRET: 'p' });
    await waitFor(() => output().match(/listening on/), 25_000);
    await waitFor(() => output().match(/non-AI answers/), 5_000);
    expect(output()).toContain('docs off · metrics off · llm offline (no AI answers)');
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  }, 40_000);

  it('a rejected LLM key is logged once, naming the variable; failing readiness probes log no stack trace', async () => {
    const fake = await new FakeOpenAiServer().start();
    fake.respondWith(() => ({ status: 401, body: { error: { message: 'Incorrect API key provided' } } }));
    const { child, output } = start({ NODE_ENV: 'development', LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-wrong', OPENAI_BASE_URL: fake.url, LLM_MAX_RETRIES: '0' });
    try {
      const [, port] = await waitFor(() => output().match(/listening on http:\/\/127\.0\.0\.1:(\d+)/), 25_000);
      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${base}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'u', message: `hi ${i}` }) });
        expect(res.status).toBe(200);
      }
      for (let i = 0; i < 3; i++) expect((await fetch(`${base}/readyz`)).status).toBe(503);
      await waitFor(() => output().match(/rejected the credential/), 5_000);
      const log = output();
      expect(log.match(/rejected the credential; check OPENAI_API_KEY/g)).toHaveLength(1);
      expect(log).not.toMatch(/"stack"/);
      expect(log).not.toContain('sk-wrong');
    } finally {
      child.kill('SIGTERM');
      await exited(child);
      await fake.stop();
    }
  }, 40_000);

  it('from the first SIGTERM, new work gets 503 (Crisp redelivers) while accepted work still goes out', async () => {
    const fixture = readJsonFixture('crisp', 'webhook_message_send.quickstart.json');
    const crisp = await new FakeCrispServer().start();
    const llm = await new FakeOpenAiServer().start();
    llm.respondWith(() => ({ text: 'answer to the accepted hook', delayMs: 1_500 }));
    const { child, output } = start({
      NODE_ENV: 'development', CHANNELS: 'crisp', LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: llm.url, LLM_MAX_RETRIES: '0',
      CRISP_WEBSITE_ID: fixture.website_id, CRISP_TOKEN_IDENTIFIER: 'i', CRISP_TOKEN_KEY: 'k', CRISP_WEBHOOK_SECRET: 'hook', CRISP_API_URL: crisp.url,
      SHUTDOWN_TIMEOUT_MS: '8000',
    });
    try {
      const [, port] = await waitFor(() => output().match(/listening on http:\/\/127\.0\.0\.1:(\d+)/), 25_000);
      const hook = (session: string) =>
        fetch(`http://127.0.0.1:${port}/crisp/hooks?key=hook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...fixture, data: { ...fixture.data, session_id: session, fingerprint: Date.now() } }),
        });
      expect((await hook('session_accepted')).status).toBe(200);
      await waitFor(() => (llm.chatRequests().length > 0 ? ['x'] as unknown as RegExpMatchArray : null), 5_000);
      child.kill('SIGTERM');
      await waitFor(() => output().match(/shutting down/), 5_000);
      const late = await hook('session_late');
      expect(late.status).toBe(503);
      expect(late.headers.get('retry-after')).toBe('5');
      expect(await exited(child)).toBe(0);
      expect(crisp.messagesSent('session_accepted').map((r) => r.body.content)).toEqual(['answer to the accepted hook']);
      expect(crisp.messagesSent('session_late')).toHaveLength(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await crisp.stop();
      await llm.stop();
    }
  }, 45_000);
  it('the fast lane logs what Express would for refusals (secrets redacted, with the request id) and no line per accepted hook', async () => {
    const fixture = readJsonFixture('crisp', 'webhook_message_send.quickstart.json');
    const crisp = await new FakeCrispServer().start();
    const { child, output } = start({
      NODE_ENV: 'development', CHANNELS: 'crisp', CRISP_WEBSITE_ID: fixture.website_id, CRISP_TOKEN_IDENTIFIER: 'i', CRISP_TOKEN_KEY: 'k',
      CRISP_WEBHOOK_SECRET: 'hook-secret-value', CRISP_API_URL: crisp.url,
    });
    try {
      const [, port] = await waitFor(() => output().match(/listening on http:\/\/127\.0\.0\.1:(\d+)/), 25_000);
      const post = (query: string, requestId: string) =>
        fetch(`http://127.0.0.1:${port}/crisp/hooks?${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': requestId },
          body: JSON.stringify({ ...fixture, data: { ...fixture.data, fingerprint: Date.now() } }),
        });
      expect((await post('key=hook-secret-value', 'accepted-1')).status).toBe(200);
      expect((await post('%6Bey=wrong-secret-value', 'refused-1')).status).toBe(401);
      const lines = () => output().trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      const refused = (await waitFor(() => (lines().some((l) => l.req?.id === 'refused-1') ? ['x'] as unknown as RegExpMatchArray : null), 5_000), lines().find((l) => l.req?.id === 'refused-1'));
      expect(refused).toMatchObject({ level: 40, msg: 'request completed', res: { statusCode: 401 }, req: { method: 'POST', url: '/crisp/hooks?key=[REDACTED]' } });
      expect(lines().some((l) => l.req?.id === 'accepted-1')).toBe(false);
      expect(output()).not.toContain('wrong-secret-value');
      expect(output()).not.toContain('hook-secret-value');
    } finally {
      child.kill('SIGKILL');
      await crisp.stop();
    }
  }, 40_000);
});
