import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listenOnLoopback, closeLoopback, readJsonBody } from './loopback-http';

/** One request the fake Crisp REST API received. */
export interface CrispRecordedRequest {
  method: string;
  path: string;
  /** Route name derived from the path: message, compose, meta, or other. */
  route: 'message' | 'compose' | 'meta' | 'other';
  websiteId?: string;
  sessionId?: string;
  headers: IncomingMessage['headers'];
  /** Decoded Basic credentials. */
  auth?: { identifier: string; key: string };
  tier?: string;
  body: any;
  /** Status answered (0 when the connection was dropped). */
  status?: number;
  /** Epoch ms it was received. */
  at: number;
}

/** A scripted answer: an HTTP status (optionally with a body or delay), or a dropped connection. */
export type CrispFakeReply = number | { status: number; body?: unknown; delayMs?: number; headers?: Record<string, string> } | { drop: true };

const PATH = /^\/v1\/website\/([^/]+)\/conversation\/([^/]+)\/(message|compose|meta)$/;

/**
 * A local stand-in for the Crisp REST API v1 (api.crisp.chat) over 127.0.0.1: records
 * requests (Basic credentials, X-Crisp-Tier, bodies), answers with Crisp's
 * `{error, reason, data}` envelope, serves conversation metas, and can be scripted per
 * route, e.g. `script('message', 429, 429, 200)`.
 */
export class FakeCrispServer {
  readonly requests: CrispRecordedRequest[] = [];
  /** 2xx answers by route; kept even when `record` is off. */
  readonly okCounts: Record<CrispRecordedRequest['route'], number> = { message: 0, compose: 0, meta: 0, other: 0 };
  url = '';
  private server?: Server;
  private readonly scripts = new Map<string, CrispFakeReply[]>();
  private readonly metas = new Map<string, unknown>();
  private fingerprint = 1_000;

  /** `record: false` keeps only okCounts (benchmarks: millions of requests). */
  constructor(private readonly opts: { record?: boolean } = {}) {}

  /** Next answers for a route, used in order; after they run out the default (200) applies. */
  script(route: CrispRecordedRequest['route'], ...replies: CrispFakeReply[]): void {
    this.scripts.set(route, [...replies]);
  }

  /** What GET …/conversation/{session}/meta returns as `data` for this session. */
  setMeta(sessionId: string, meta: unknown): void {
    this.metas.set(sessionId, meta);
  }

  reset(): void {
    this.requests.length = 0;
    for (const k of Object.keys(this.okCounts) as CrispRecordedRequest['route'][]) this.okCounts[k] = 0;
    this.scripts.clear();
    this.metas.clear();
  }

  /** Successful (answered 2xx) POST …/message requests, optionally for one session. */
  messagesSent(sessionId?: string): CrispRecordedRequest[] {
    return this.requests.filter((r) => r.route === 'message' && r.status !== undefined && r.status >= 200 && r.status < 300 && (!sessionId || r.sessionId === sessionId));
  }

  byRoute(route: CrispRecordedRequest['route']): CrispRecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  async start(): Promise<this> {
    const { server, url } = await listenOnLoopback((req, res) => this.handle(req, res));
    this.server = server;
    this.url = url;
    return this;
  }

  async stop(): Promise<void> {
    await closeLoopback(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    void readJsonBody(req).then((body) => {
      const m = PATH.exec(req.url ?? '');
      const route = (m?.[3] as CrispRecordedRequest['route']) ?? 'other';
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      const creds = basic ? Buffer.from(basic[1], 'base64').toString('utf8') : undefined;
      const recorded: CrispRecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        route,
        websiteId: m ? decodeURIComponent(m[1]) : undefined,
        sessionId: m ? decodeURIComponent(m[2]) : undefined,
        headers: req.headers,
        auth: creds ? { identifier: creds.slice(0, creds.indexOf(':')), key: creds.slice(creds.indexOf(':') + 1) } : undefined,
        tier: req.headers['x-crisp-tier'] as string | undefined,
        body,
        at: Date.now(),
      };
      if (this.opts.record !== false) this.requests.push(recorded);

      const scripted = this.scripts.get(route)?.shift();
      if (scripted !== undefined && typeof scripted === 'object' && 'drop' in scripted) {
        recorded.status = 0;
        req.socket.destroy();
        return;
      }
      const spec = typeof scripted === 'number' ? { status: scripted } : scripted;
      const send = () => {
        const status = spec?.status ?? 200;
        recorded.status = status;
        if (status < 300) this.okCounts[route]++;
        const payload =
          spec?.body ??
          (status >= 400
            ? { error: true, reason: status === 429 ? 'rate_limited' : status === 404 ? 'not_found' : 'error', data: {} }
            : { error: false, reason: 'ok', data: this.success(recorded) });
        res.writeHead(status, { 'content-type': 'application/json', ...(spec && 'headers' in spec ? spec.headers : {}) });
        res.end(JSON.stringify(payload));
      };
      if (spec && 'delayMs' in spec && spec.delayMs) setTimeout(send, spec.delayMs);
      else send();
    });
  }

  private success(req: CrispRecordedRequest): unknown {
    if (req.route === 'message') return { fingerprint: ++this.fingerprint };
    if (req.route === 'meta') return this.metas.get(req.sessionId ?? '') ?? { nickname: 'visitor', email: '', data: {} };
    return {};
  }
}
