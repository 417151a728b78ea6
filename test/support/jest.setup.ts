import { Logger } from '@nestjs/common';

// Tests never read the developer's .env or environment: every app is booted with
// an explicit env (see test-app.ts). Unit specs that construct classes directly
// would otherwise print through Nest's console logger; apps booted by bootTestApp
// install the (silent) pino logger themselves.
process.env.LOG_LEVEL = 'silent';
Logger.overrideLogger(false);
