// Tests never read the developer's .env or environment: every app is booted with
// an explicit env (see test-app.ts). Keep Nest's own bootstrap logger quiet too.
process.env.LOG_LEVEL = 'silent';
