/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. HTTP_ACK_CPU_PROF=<dir> npm run bench:http):
 * self time by function and by module (an npm package, a file of dist/, or a part of Node; a native
 * frame counts for the module of its nearest JavaScript caller), idle excluded. Start-up is included.
 * Run: node -r ts-node/register/transpile-only bench/cpuprofile-top.ts <file.cpuprofile> [rows=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The package (node_modules/<name> or <@scope/name>), dist/<file>, node:<internal>, or the V8 pseudo-frame. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const dist = /\/dist\/(.+)$/.exec(url);
  if (dist) return `dist/${dist[1]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

/**
 * Coarse families for "where does a request's CPU go": a sample counts for the family of the innermost frame on
 * its stack that names one (so a native write under Express's res.send counts for Express). First match wins.
 */
const FAMILIES: Array<[string, RegExp]> = [
  ['logging: pino-http, pino, redaction, serializers, redactUrl', /node_modules\/(pino|pino-http|@pinojs|pino-std-serializers|sonic-boom|nestjs-pino|fast-redact|quick-format-unescaped)\/|dist\/common\/logger\.options\.js/],
  ['metrics: prom-client', /node_modules\/prom-client\//],
  ['body: read, JSON.parse, body hygiene', /node_modules\/(body-parser|raw-body|iconv-lite|content-type|type-is|media-typer|on-finished|unpipe|bytes|http-errors)\/|dist\/common\/body-hygiene\.js/],
  ['zod schemas', /node_modules\/zod\//],
  [
    'Express 5 + router (incl. the response write)',
    /node_modules\/(?:@nestjs\/platform-express\/node_modules\/)?(express|router|path-to-regexp|parseurl|finalhandler|send|qs|depd|encodeurl|escape-html|vary|cookie|proxy-addr|forwarded|fresh|accepts|negotiator|mime-types|etag)\//,
  ],
  ['Nest: core, platform-express, guards, pipes, filters (dist/common, dist/observability)', /node_modules\/@nestjs\/|dist\/common\/|dist\/observability\/|dist\/channels\/crisp\/crisp-hook-auth/],
  ['fetch (undici) for outbound calls', /node:internal\/deps\/undici/],
  ['reply pipeline, queue, copilot, stores (dist/)', /dist\/(channels|queue|copilot|state|llm|activity|summarizer)\//],
  ['module loading (start-up)', /node:internal\/modules\//],
];

function main(): void {
  const [file, rowsArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpuprofile-top.ts <file.cpuprofile> [rows]');
  const rows = Number(rowsArg ?? 25);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** A native frame (writev, JSON.parse, …) is charged, in the module view, to the nearest JavaScript caller. */
  const moduleFor = (id: number): string => {
    let cur: number | undefined = id;
    while (cur !== undefined) {
      const f = byId.get(cur)!.callFrame;
      if (f.url || f.functionName.startsWith('(')) return f.url ? moduleOf(f.url, f.functionName) : f.functionName;
      cur = parent.get(cur);
    }
    return '(native)';
  };
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time between sample i-1 and sample i: charge it to sample i's node.
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));

  const familyOf = (id: number): string => {
    const leaf = byId.get(id)!.callFrame.functionName;
    if (leaf === '(garbage collector)' || leaf === '(program)') return leaf;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      const hit = FAMILIES.find(([, re]) => re.test(`${f.url}:${f.lineNumber + 1}`));
      if (hit) return hit[0];
    }
    return 'other: node http/net/streams/timers, V8';
  };
  const byFamily = new Map<string, number>();
  const byFn = new Map<string, number>();
  const byModule = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const { callFrame: f } = byId.get(id)!;
    if (f.functionName === '(idle)') continue;
    busy += us;
    const mod = moduleFor(id);
    const fn = `${f.functionName || '(anonymous)'} ${f.url ? `${moduleOf(f.url, f.functionName)}:${f.lineNumber + 1}` : `(native, from ${mod})`}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    const fam = familyOf(id);
    byFamily.set(fam, (byFamily.get(fam) ?? 0) + us);
  }
  const total = p.endTime - p.startTime;
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (idle excluded below)`);
  const print = (title: string, m: Map<string, number>) => {
    console.log(`\n| ${title} | self ms | share of busy |\n|---|---:|---:|`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`| ${k} | ${(us / 1000).toFixed(0)} | ${((100 * us) / busy).toFixed(1)}% |`);
  };
  print('family (innermost frame on the stack that names one)', byFamily);
  print('module (native frames charged to their JavaScript caller)', byModule);
  print('function', byFn);
}

if (require.main === module) main();
