import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * A request to a hot route (a webhook or ingestion endpoint that takes volume), as both
 * ways in see it: the lean node:http lane (src/http-lane) and the Nest controller that
 * documents the route and serves it when the lane is off. The body has been size-capped,
 * parsed and checked for hostile structure (common/body-hygiene) before a route sees it.
 */
export interface HotRequest {
  readonly method: string;
  readonly path: string;
  /** Parsed like Express's default ("simple", node:querystring): a repeated name is an array. */
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  readonly headers: IncomingHttpHeaders;
  /** The bytes as received (after content decoding); empty when there was no body. */
  readonly rawBody: Buffer;
  /** The parsed JSON body; undefined when there was none. */
  readonly body: unknown;
  readonly ip: string | undefined;
  readonly requestId: string;
}

export interface HotReply {
  status: number;
  body: unknown;
}

/**
 * One route's whole logic after the body is read: authenticate, validate, hand off,
 * answer. Failures are thrown as Nest HttpExceptions, which both lanes turn into the same
 * `{statusCode, error, message}` answer.
 */
export interface HotRoute {
  readonly method: 'POST' | 'GET';
  readonly path: string;
  handle(req: HotRequest): Promise<HotReply>;
}

/** Where the modules that own hot routes put them; the fast lane serves what is registered here. */
@Injectable()
export class HotRouteRegistry {
  private readonly routes = new Map<string, HotRoute>();

  register(route: HotRoute): void {
    const key = `${route.method} ${route.path}`;
    if (this.routes.has(key)) throw new Error(`hot route ${key} is registered twice`);
    this.routes.set(key, route);
  }

  list(): HotRoute[] {
    return [...this.routes.values()];
  }
}

const EMPTY = Buffer.alloc(0);

/** The Nest side: the same request as Express parsed it (body parser, hygiene middleware). */
export function hotRequestFromExpress(req: Request & { rawBody?: Buffer; id?: unknown }): HotRequest {
  const rawBody = req.rawBody ?? EMPTY;
  return {
    method: req.method,
    path: req.path,
    query: req.query as HotRequest['query'],
    headers: req.headers,
    rawBody,
    body: rawBody.length > 0 ? (req.body as unknown) : undefined,
    ip: req.ip,
    requestId: typeof req.id === 'string' ? req.id : String(req.id ?? ''),
  };
}

/** A single query value: a name given twice is not a value (so `?key=a&key=b` never authenticates). */
export function singleQueryValue(query: HotRequest['query'], name: string): string | undefined {
  const v = query[name];
  return typeof v === 'string' ? v : undefined;
}

/** A single header value (a repeated header arrives joined or as an array; an array is refused). */
export function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v : undefined;
}
