import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { eventually } from './support/chromium';

const ROOT = join(__dirname, '..');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * `npm run demo`'s launcher (scripts/demo.mjs) as its own process, on a clean environment:
 * it starts the service with its embedded demo settings (including variables this build may
 * not know, such as PROACTIVE and KB_DIR), prints the URLs, serves /demo with the snippet,
 * and its simulated users' activity reaches their context through the ingestion path.
 */
describe('npm run demo (scripts/demo.mjs)', () => {
  let child: ChildProcess;
  let out = '';
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['scripts/demo.mjs'], {
      cwd: ROOT,
      // DEMO_MAIN runs the sources, so the test needs no build; DEMO_STEP_MS makes the simulated users quick.
      env: { PATH: process.env.PATH ?? '', PORT: String(port), DEMO_MAIN: '-r ts-node/register/transpile-only src/main.ts', DEMO_STEP_MS: '50' },
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await eventually(async () => (out.includes('activity-copilot demo is running') ? true : undefined), 40_000, 'the demo banner');
  }, 45_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('prints the URLs to open', () => {
    expect(out).toContain(`http://localhost:${new URL(url).port}/demo`);
    expect(out).toContain('/v1/users/demo-maya/context');
    expect(out).not.toContain('demo-only-user-token-secret');
  });

  it('opens the operator console with the token it printed for this run', async () => {
    const token = /sign in with the token ([0-9a-f]{32})/.exec(out)?.[1];
    expect(token).toBeDefined();
    const login = (t: string) =>
      fetch(`${url}/console/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ token: t }) });
    expect((await login('not-the-printed-token-000')).status).toBe(401);
    const ok = await login(token!);
    expect(ok.status).toBe(204);
    const cookie = ok.headers.get('set-cookie')!.split(';')[0];
    // The simulated users' sessions are listed once they have taken a step.
    await eventually(async () => {
      const res = await fetch(`${url}/console`, { headers: { cookie } });
      return res.status === 200 && (await res.text()).includes('demo-maya') ? true : undefined;
    }, 10_000, "the console to list demo-maya's session");
  });

  it('serves the demo product with the snippet configured for a visitor', async () => {
    const res = await fetch(`${url}/demo/projects`);
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^demo_visitor=visitor-[a-z0-9]{10};/);
    const html = await res.text();
    expect(html).toMatch(/<script src="\/sdk\/widget\.js" async data-product-id="demo" data-user-id="visitor-[a-z0-9]{10}" data-user-token="[0-9a-f]{64}">/);
    expect((await fetch(`${url}/sdk/widget.js`)).status).toBe(200);
  });

  it('keeps a stream token out of the logs (a refused request is logged with its URL at warn)', async () => {
    const token = 'c0ffee'.repeat(10) + 'abcd';
    const res = await fetch(`${url}/v1/browser/events-stream?userId=visitor-nobody00&token=${token}`);
    expect(res.status).toBe(401);
    await eventually(async () => (out.includes('/v1/browser/events-stream?userId=visitor-nobody00&token=[REDACTED]') ? true : undefined), 5_000, 'the logged 401');
    expect(out).not.toContain(token);
  });

  it("feeds the simulated users' activity through the ingestion path", async () => {
    const ctx = await eventually(async () => {
      const res = await fetch(`${url}/v1/users/demo-maya/context`);
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as { context: string };
      return body.context.includes("Clicked 'Edit' — /demo/projects/:id") ? body.context : undefined;
    }, 15_000, "demo-maya's edits");
    expect(ctx).toContain('(product demo)');
    const leo = (await (await fetch(`${url}/v1/users/demo-leo/context`)).json()) as { context: string };
    expect(leo.context).toContain('/demo/billing');
    expect(leo.context).not.toContain('/demo/projects/:id');
  });
});
