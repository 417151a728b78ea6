import pino from 'pino';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildLoggerParams, redactSecretFields } from './logger.options';

/** A real pino logger with the service's options, writing JSON lines into an array. */
function logger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const { level, redact, formatters, serializers } = (buildLoggerParams('info').pinoHttp as [pino.LoggerOptions, pino.DestinationStream])[0];
  return { log: pino({ level, redact, formatters, serializers: { ...pino.stdSerializers, ...serializers } }, sink), lines };
}

describe('log redaction', () => {
  it('censors secret fields at the top level and one level down, and leaves the caller\'s objects alone', () => {
    const { log, lines } = logger();
    const cfg = { apiKey: 'sk-live', url: 'https://x' };
    const line = { token: 't0', cfg, auth: { authorization: 'Bearer abc', password: 'pw', user: 'ann' }, count: 3, list: [{ token: 'deep' }] };
    log.warn(line, 'something');
    expect(lines[0]).toMatchObject({ token: '[REDACTED]', cfg: { apiKey: '[REDACTED]', url: 'https://x' }, auth: { authorization: '[REDACTED]', password: '[REDACTED]', user: 'ann' }, count: 3 });
    expect(cfg.apiKey).toBe('sk-live');
    expect(line.token).toBe('t0');
  });

  it('censors an error\'s own secret fields after serialization, and response cookies', () => {
    const { log, lines } = logger();
    const err = Object.assign(new Error('boom'), { secret: 's3' });
    log.error({ err }, 'failed');
    expect(lines[0]).toMatchObject({ err: { message: 'boom', secret: '[REDACTED]', type: 'Error' } });
    expect(JSON.stringify(lines[0])).not.toContain('s3');
    const res = { statusCode: 200, getHeaders: () => ({ 'set-cookie': 'sid=secret-session', 'content-type': 'text/html' }) };
    log.info({ res }, 'answered');
    expect(lines[1]).toMatchObject({ res: { headers: { 'set-cookie': '[REDACTED]', 'content-type': 'text/html' } } });
  });

  it('returns the same object when there is nothing to censor (no copy on the usual line)', () => {
    const obj = { channel: 'crisp', usage: { inputTokens: 3 }, at: new Date(0) };
    expect(redactSecretFields(obj)).toBe(obj);
  });
});

describe('log destination', () => {
  it('writes stdout asynchronously yet loses no line when the process exits right after logging', () => {
    // A real process: 2,000 lines, then process.exit at once (no chance for the async writes to finish on their own).
    const script = `
      const pino = require('pino');
      const { buildLoggerParams } = require(${JSON.stringify(join(__dirname, 'logger.options.ts'))});
      const [options, destination] = buildLoggerParams('info').pinoHttp;
      const log = pino({ level: options.level, formatters: options.formatters }, destination);
      for (let i = 0; i < 2000; i++) log.info({ i }, 'line');
      process.exit(0);
    `;
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: join(__dirname, '../..'), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { i: number; msg: string });
    expect(lines).toHaveLength(2000);
    expect(lines[1999]).toMatchObject({ i: 1999, msg: 'line' });
  });
});
