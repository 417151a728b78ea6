import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  port: number;
  output: () => string;
  /** CPU time (user + system) the process has used so far, in ms (Linux /proc; 10 ms ticks). */
  cpuMs: () => number;
  /** True until the process has exited. */
  alive: () => boolean;
  /** SIGKILL, then resolves once it has exited. */
  stop: () => Promise<void>;
  /** SIGTERM (graceful shutdown), then resolves with the exit code once it has exited. */
  terminate: () => Promise<number | null>;
}

export interface ServerProcessOptions {
  /** `src` (default): src/main.ts through transpile-only ts-node; `dist`: the built dist/main.js, as production runs it. */
  entry?: 'src' | 'dist';
  /** Listen on this port instead of a free one (a replica restarted where it was). */
  port?: number;
  /** Node flags before the entry (e.g. `--cpu-prof`, which NODE_OPTIONS does not accept). */
  nodeArgs?: string[];
}

/** Every process started here that has not exited yet, so a suite can kill them all in afterAll, even after a failure. */
const running = new Set<ChildProcessWithoutNullStreams>();

/** SIGKILLs every server process still running (afterAll safety net) and waits for them to exit. */
export async function killAllServerProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when dist/main.js is missing or older than a file under src/ (or tsconfig), so `dist` processes run this code. */
export function ensureDistBuilt(): void {
  const main = join(ROOT, 'dist', 'main.js');
  const builtAt = existsSync(main) ? statSync(main).mtimeMs : 0;
  const sourcesAt = Math.max(newestMtime(join(ROOT, 'src')), statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs);
  if (builtAt > sourcesAt) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
}

async function freeLoopbackPort(): Promise<number> {
  const free = createServer();
  await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
  const port = (free.address() as AddressInfo).port;
  await new Promise<void>((r) => free.close(() => r()));
  return port;
}

/**
 * Runs the service as its own process (src/main.ts through transpile-only ts-node, or
 * the built dist/main.js) with a clean environment on a free port, and resolves once
 * /healthz answers.
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 25_000, opts: ServerProcessOptions = {}): Promise<ServerProcess> {
  const port = opts.port ?? (await freeLoopbackPort());
  const args = [...(opts.nodeArgs ?? []), ...(opts.entry === 'dist' ? ['dist/main.js'] : ['-r', 'ts-node/register/transpile-only', 'src/main.ts'])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'development', ...env },
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
    if (!alive()) throw new Error(`server exited: ${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpuMs = () => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat (12 and 13 after the command name).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  };
  return {
    child,
    url,
    port,
    output: () => out,
    cpuMs,
    alive,
    stop: async () => {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    terminate: async () => {
      if (alive()) child.kill('SIGTERM');
      return exited;
    },
  };
}
