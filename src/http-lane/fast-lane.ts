import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import { bodyProblem } from '../common/body-hygiene';
import { DependencyUnavailableError, RETRY_AFTER_SECONDS } from '../common/dependency-unavailable.error';
import { bodyLimitFor, SHUTTING_DOWN, tooLarge } from '../common/body-limits';
import type { HotRequest, HotRoute } from '../common/hot-routes';
import { toErrorBody, type ErrorBody } from '../common/http-exception.filter';
import { redactUrl } from '../common/logger.options';
import { requestIdFor } from '../common/request-id';
import type { appConfig, ConfigOf } from '../config/config.namespaces';
import type { HttpMetrics } from '../observability/http-metrics';
import type { InvalidBodyHooks } from '../observability/invalid-body.hooks';
import type { ShutdownState } from '../observability/shutdown.state';
import { laneCanRead, parseJson, readBody } from './lane-body';
import { parseSearch } from './lane-query';

export interface FastLaneDeps {
  /** Read at the first request: routes register while the app initialises, after the lane is installed. */
  routes: () => readonly HotRoute[];
  cfg: ConfigOf<typeof appConfig>;
  metrics: HttpMetrics;
  invalidBodies: InvalidBodyHooks;
  shutdown: ShutdownState;
  /** Resolved per request: nestjs-pino sets its root logger once the app is initialised. */
  logger: () => PinoLogger;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The lean way in for the routes that take volume (webhooks, ingestion): a node:http
 * request handler in front of Express, doing what the Express stack does for them and no
 * more. Size-capped body read, JSON parse, body hygiene, then the route's own logic (the
 * same HotRoute the Nest controller calls), the same error shape, request id, metrics,
 * and the same log line for every answer that is not a 2xx. What it does not take (other
 * routes, compressed bodies, other charsets) it leaves to Express, untouched.
 */
export class FastLane {
  private byPath?: Map<string, HotRoute>;

  constructor(private readonly deps: FastLaneDeps) {}

  private routes(): Map<string, HotRoute> {
    return (this.byPath ??= new Map(this.deps.routes().map((r) => [`${r.method} ${r.path}`, r])));
  }

  /** True when the lane took the request; false leaves it to Express. Reads only the request line and headers. */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST' && req.method !== 'GET') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const route = this.routes().get(`${req.method} ${q < 0 ? url : url.slice(0, q)}`);
    if (!route || (route.method === 'POST' && !laneCanRead(req))) return false;
    void this.serve(route, req, res, q < 0 ? '' : url.slice(q + 1));
    return true;
  }

  private async serve(route: HotRoute, req: IncomingMessage, res: ServerResponse, search: string): Promise<void> {
    const start = process.hrtime.bigint();
    // X-Request-Id goes out with the answer (see send): set here, it would cost every 2xx a header map.
    const requestId = requestIdFor(req.headers['x-request-id']);
    try {
      if (route.method === 'GET') return await this.serveGet(route, req, res, start, requestId, search);
      if (this.deps.shutdown.shuttingDown) {
        res.setHeader('Retry-After', '5');
        res.setHeader('Connection', 'close');
        return this.send(req, res, route, start, requestId, SHUTTING_DOWN.statusCode, SHUTTING_DOWN);
      }
      const limit = bodyLimitFor(this.deps.cfg, route.path);
      const declared = Number(req.headers['content-length']);
      if (declared > limit) return this.refuse(req, res, route, start, requestId, tooLarge(limit), true);
      const raw = await readBody(req, limit);
      if (raw === 'aborted') return;
      if (raw === 'too_large') return this.refuse(req, res, route, start, requestId, tooLarge(limit), true);
      let body: unknown;
      if (raw.length > 0) {
        const parsed = parseJson(raw);
        if (!parsed.ok) {
          this.deps.invalidBodies.report(route.path, 'invalid_json');
          return this.refuse(req, res, route, start, requestId, { statusCode: 400, error: 'Bad Request', message: `Invalid JSON body: ${parsed.message}` });
        }
        const problem = bodyProblem(parsed.value);
        if (problem) {
          this.deps.invalidBodies.report(route.path, 'invalid_body');
          return this.refuse(req, res, route, start, requestId, { statusCode: 400, error: 'Bad Request', message: problem });
        }
        body = parsed.value;
      }
      const hot: HotRequest = {
        method: 'POST',
        path: route.path,
        query: search ? parseSearch(search) : EMPTY_QUERY,
        headers: req.headers,
        rawBody: raw,
        body,
        ip: req.socket.remoteAddress,
        requestId,
      };
      const reply = await route.handle(hot);
      this.send(req, res, route, start, requestId, reply.status, reply.body);
    } catch (err) {
      const body = toErrorBody(err);
      if (err instanceof DependencyUnavailableError) {
        this.deps.logger().warn({ dependency: err.dependency, reason: err.message, reqId: requestId }, 'request refused: a backing service is unavailable');
      } else if (body.statusCode >= 500 && !isHttpException(err)) {
        this.deps.logger().error({ err, reqId: requestId }, 'unhandled error while serving a request');
      }
      if (res.headersSent) return;
      if (body.statusCode === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      this.send(req, res, route, start, requestId, body.statusCode, body);
    }
  }

  /** Probes and reads: no body; answered while shutting down too (readiness says so itself). */
  private async serveGet(route: HotRoute, req: IncomingMessage, res: ServerResponse, start: bigint, requestId: string, search: string): Promise<void> {
    const reply = await route.handle({
      method: 'GET', path: route.path, query: search ? parseSearch(search) : EMPTY_QUERY, headers: req.headers, rawBody: EMPTY_BODY, body: undefined,
      ip: req.socket.remoteAddress, requestId,
    });
    this.send(req, res, route, start, requestId, reply.status, reply.body);
  }

  private refuse(req: IncomingMessage, res: ServerResponse, route: HotRoute, start: bigint, requestId: string, body: ErrorBody, closeAfter = false): void {
    // A body we stopped reading is still on the wire: close the connection rather than parse it as the next request.
    if (closeAfter) res.setHeader('Connection', 'close');
    this.send(req, res, route, start, requestId, body.statusCode, body);
  }

  private send(req: IncomingMessage, res: ServerResponse, route: HotRoute, start: bigint, requestId: string, status: number, body: unknown): void {
    const payload = JSON.stringify(body);
    const length = String(Buffer.byteLength(payload));
    if (status < 300) {
      // The common answer: its headers straight into the head, with no header map on the response (nothing logs it).
      res.writeHead(status, ['X-Request-Id', requestId, 'Content-Type', JSON_TYPE, 'Content-Length', length]);
    } else {
      // Logged answers keep their headers on the response: pino's serializer reads them from there.
      res.statusCode = status;
      res.setHeader('X-Request-Id', requestId);
      res.setHeader('Content-Type', JSON_TYPE);
      res.setHeader('Content-Length', length);
    }
    res.end(payload);
    this.deps.metrics.observe(route.method, route.path, status, start);
    this.deps.metrics.servedByLane(route.path);
    if (status >= 300) this.logAnswer(req, res, status, start, requestId);
  }

  /** The line pino-http writes for the same answer on the Express side (2xx are not logged here: that is the point). */
  private logAnswer(req: IncomingMessage, res: ServerResponse, status: number, start: bigint, requestId: string): void {
    // `res` goes through pino's own response serializer, as pino-http's line does.
    const line = {
      req: { id: requestId, method: req.method, url: redactUrl(req.url), remoteAddress: req.socket.remoteAddress },
      res,
      responseTime: Math.round(Number(process.hrtime.bigint() - start) / 1e6),
    };
    const log = this.deps.logger();
    if (status >= 500) log.error(line, 'request errored');
    else log.warn(line, 'request completed');
  }
}

const EMPTY_QUERY = Object.freeze({});
const EMPTY_BODY = Buffer.alloc(0);

function isHttpException(err: unknown): boolean {
  return typeof (err as { getStatus?: unknown })?.getStatus === 'function';
}
