import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The deployment files stay true to the code: the compose file parses, runs several
 * replicas on Redis/BullMQ behind one port, and sets only variables .env.example
 * documents; the image is multi-stage, non-root, health-checked and runs dist/main.js.
 */
const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const documented = new Set([...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, any>; volumes?: Record<string, unknown> };

  it('parses, with Redis, the service (2 replicas) and one proxy port', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['copilot', 'proxy', 'redis']);
    expect(compose.services.copilot.deploy.replicas).toBeGreaterThanOrEqual(2);
    expect(compose.services.copilot.ports).toBeUndefined();
    expect(compose.services.proxy.ports).toEqual(['8080:8080']);
    expect(compose.services.redis.command.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(compose.services.copilot.depends_on.redis.condition).toBe('service_healthy');
  });

  it('sets only variables that .env.example documents, and the shared drivers', () => {
    const env = compose.services.copilot.environment as Record<string, string>;
    const unknown = Object.keys(env).filter((k) => !documented.has(k));
    expect(unknown).toEqual([]);
    expect(env).toMatchObject({ NODE_ENV: 'production', STORE: 'redis', QUEUE: 'bullmq', REDIS_URL: 'redis://redis:6379' });
    // Variables interpolated from the operator's shell or .env are documented too.
    const interpolated = [...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);
    expect(interpolated.filter((k) => !documented.has(k))).toEqual([]);
  });

  it('the proxy config it mounts exists and points at the service', () => {
    const nginx = read('deploy/nginx.conf');
    expect(compose.services.proxy.volumes[0]).toContain('./deploy/nginx.conf');
    expect(nginx).toMatch(/server copilot:3000/);
    expect(nginx).toMatch(/listen 8080/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds with dev dependencies and runs with production dependencies only, on Node 24', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/npm ci/);
    expect(stages[0]).toMatch(/npm run build/);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^FROM node:24/m);
  });

  it('runs as a non-root user, health-checks /healthz and starts dist/main.js directly', () => {
    const run = stages[stages.length - 1];
    expect(run).toMatch(/^USER node$/m);
    expect(run).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(run).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(run).toMatch(/NODE_ENV=production/);
  });

  it('keeps secrets and build output out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', '.env', '.git']) expect(ignored).toContain(entry);
  });
});
