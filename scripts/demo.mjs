// `npm run demo`: the service on embedded defaults plus the demo (DEMO=true: /demo and its simulated users),
// proactive nudges with the demo rules, the example knowledge base, and a development user-token secret.
// Anything set in the environment (or .env) wins, so OPENAI_API_KEY=… npm run demo answers with a real model.
// DEMO_MAIN overrides what is started (tests run src/main.ts through ts-node instead of the build).
import dotenv from 'dotenv';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The service reads .env under the environment; the demo's defaults sit under both, so .env must be merged here.
const fromFile = existsSync(join(root, '.env')) ? dotenv.parse(readFileSync(join(root, '.env'))) : {};
const given = { ...fromFile, ...process.env };
const port = given.PORT || '3000';
const host = given.HOST || '127.0.0.1';
const shown = host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? 'localhost' : host;
const base = `http://${shown}:${port}`;

const defaults = {
  NODE_ENV: 'development',
  // The demo mints user tokens for whoever opens /demo: it listens on loopback unless HOST says otherwise.
  HOST: host,
  PORT: port,
  LOG_LEVEL: 'warn',
  DEMO: 'true',
  PROACTIVE: 'on',
  PROACTIVE_RULES_FILE: 'examples/demo/rules.yml',
  KB_DIR: 'examples/kb',
  // A development secret, printed nowhere and good for this demo only; production refuses DEMO=true anyway.
  USER_TOKEN_SECRET: 'demo-only-user-token-secret-not-for-production',
  BROWSER_ALLOWED_ORIGINS: `http://localhost:${port},http://127.0.0.1:${port}`,
  // The operator console signs in with a token made for this run (printed below), unless CONSOLE_USERS or CONSOLE_TOKEN is set.
  ...(given.CONSOLE_USERS ? {} : { CONSOLE_TOKEN: randomBytes(16).toString('hex') }),
};
const env = { ...defaults, ...given };
const [cmd, ...args] = (process.env.DEMO_MAIN || 'dist/main.js').split(' ');
const child = spawn(process.execPath, [cmd, ...args], { cwd: root, env, stdio: 'inherit' });

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// Print where to go once the service answers its liveness probe.
const started = Date.now();
(async function announce() {
  while (Date.now() - started < 60_000 && child.exitCode === null) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (up) {
      const users = ['demo-maya', 'demo-leo', 'demo-ines', 'demo-sam', 'demo-noor'];
      process.stdout.write(
        [
          '',
          'activity-copilot demo is running',
          `  Open the demo product:   ${base}/demo   (click around, then ask the chat at the bottom right)`,
          `  Simulated users' context: ${base}/v1/users/${users[0]}/context   (also ${users.slice(1).join(', ')})`,
          `  Operator console:        ${base}/console   (${env.CONSOLE_TOKEN && !given.CONSOLE_TOKEN ? `sign in with the token ${env.CONSOLE_TOKEN}` : 'sign in with your CONSOLE_USERS or CONSOLE_TOKEN'})`,
          `  API reference:           ${base}/docs`,
          '  Answers come from the offline provider unless OPENAI_API_KEY (or ANTHROPIC_API_KEY) is set, in the environment or .env.',
          'Press Ctrl+C to stop.',
          '',
        ].join('\n'),
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
})();
