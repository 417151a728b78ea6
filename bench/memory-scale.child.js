// One side of bench/memory-scale.ts, run with --expose-gc on the compiled build.
// mode "app": boots the full AppModule in this process, listening on 127.0.0.1; the parent
// sends the sessions over HTTP. mode "store": the memory session store alone, with the
// options the app would give it, fed the same events through the same parser.
// IPC: {ready, port?} once up; 'fill:<n>' (store mode) → {filled}; 'measure' → memory after a forced GC.
const { sessionEvent } = require('./memory-events');

async function main() {
  const [mode, envJson] = process.argv.slice(2);
  const env = JSON.parse(envJson);
  let close = async () => undefined;
  let stats = async () => ({});
  let fill = async () => undefined;
  if (mode === 'app') {
    const { NestFactory } = require('@nestjs/core');
    const { AppModule } = require('../dist/app.module');
    const { APP_OPTIONS, configureApp, createHttpAdapter } = require('../dist/bootstrap');
    const app = await NestFactory.create(AppModule.forRoot({ env }), createHttpAdapter(), { ...APP_OPTIONS, logger: false });
    configureApp(app);
    await app.listen(0, '127.0.0.1');
    close = () => app.close();
    process.send({ ready: true, port: app.getHttpServer().address().port });
  } else {
    const { MemorySessionStore } = require('../dist/activity/session-store/memory.session-store');
    const { parseActivityEvent } = require('../dist/activity/activity.parser');
    const { parseEnv } = require('../dist/config/env.schema');
    const { storeConfig } = require('../dist/config/config.namespaces');
    const cfg = storeConfig.build(parseEnv(env));
    const store = new MemorySessionStore({
      lookbackSeconds: cfg.lookbackSeconds, maxActions: cfg.maxActions, maxSessions: cfg.maxSessions, maxSessionsPerUser: cfg.maxSessionsPerUser,
      maxUsers: cfg.maxUsers, sessionTtlSeconds: cfg.sessionTtlSeconds, maxBytes: cfg.sessionStoreMaxBytes,
    });
    fill = async (n) => {
      for (let i = 0; i < n; i++) await store.appendActions(parseActivityEvent(JSON.parse(sessionEvent(i)), 'push').event);
    };
    stats = () => store.stats();
    process.send({ ready: true });
  }
  process.on('message', async (m) => {
    if (typeof m === 'string' && m.startsWith('fill:')) {
      await fill(Number(m.slice(5)));
      process.send({ filled: true });
    }
    if (m === 'measure') {
      global.gc();
      global.gc();
      const mu = process.memoryUsage();
      process.send({ rss: mu.rss, heapUsed: mu.heapUsed, heapTotal: mu.heapTotal, external: mu.external, stats: await stats() });
    }
    if (m === 'stop') {
      await close();
      process.exit(0);
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
