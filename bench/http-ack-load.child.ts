/**
 * Load generator for bench/http-ack.ts when wrk is not installed: autocannon in its own
 * process, so the bench process's CPU is not part of the measurement. IPC: receives one
 * LoadSpec, answers with a LoadResult, exits. Bodies are rendered from the same template
 * as bench/http-ack.lua: {{n}} = offset + i (9 digits, zero-padded), {{s}} = n % 1000.
 */
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  template?: string;
  offset: number;
  connections: number;
  durationS: number;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
}

/** Splits a template into literal text (even indexes) and placeholder names (odd indexes). */
export function compileTemplate(template: string): string[] {
  return template.split(/\{\{([a-z])\}\}/);
}

export function renderBody(pieces: string[], n: number): string {
  let out = '';
  for (let i = 0; i < pieces.length; i++) {
    if (i % 2 === 0) out += pieces[i];
    else out += pieces[i] === 'n' ? String(n).padStart(9, '0') : String(n % 1000);
  }
  return out;
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const pieces = spec.template === undefined ? undefined : compileTemplate(spec.template);
  let n = spec.offset;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    pipelining: 1,
    duration: spec.durationS,
    timeout: 10,
    requests: [
      pieces
        ? { method: spec.method, setupRequest: (req: any) => ({ ...req, headers: { 'content-type': 'application/json' }, body: renderBody(pieces, n++) }) }
        : { method: spec.method },
    ],
  });
  return {
    requests: result.requests.total,
    durationS: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

if (require.main === module) {
  process.once('message', (spec: LoadSpec) => {
    void run(spec).then(
      (r) => process.send?.(r, () => process.exit(0)),
      (err: unknown) => {
        process.stderr.write(`load child: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
  process.on('disconnect', () => process.exit(0));
}
