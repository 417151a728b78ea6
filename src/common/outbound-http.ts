import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { appConfig, type ConfigOf } from '../config/config.namespaces';

export interface OutboundRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** The whole call, connect to last byte. */
  timeoutMs: number;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** No answer: the connection failed or the deadline passed. `code` is the socket error (ECONNREFUSED…) or "timeout". */
export class OutboundNetworkError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundNetworkError';
  }
}

/**
 * Every outbound HTTP call (Crisp, webhooks, the LLM SDKs) goes through one undici
 * keep-alive pool with bounded connections per host (OUTBOUND_CONNECTIONS_PER_HOST):
 * sockets are reused instead of dialled per call, and a slow host cannot take an
 * unbounded number of them. `request` is undici's lean API (what the hot reply path
 * uses); `fetch` is a WHATWG fetch over the same pool for SDKs that take one.
 */
@Injectable()
export class OutboundHttp implements OnApplicationShutdown {
  private readonly agent: Agent;

  constructor(@Inject(appConfig.KEY) cfg: ConfigOf<typeof appConfig>) {
    this.agent = new Agent({
      connections: cfg.outboundConnectionsPerHost,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      connect: { timeout: 10_000 },
    });
  }

  async request(url: string, req: OutboundRequest): Promise<OutboundResponse> {
    // A deadline of our own, cleared when the call is over: AbortSignal.timeout's timer would still
    // fire for every finished call and build a TimeoutError (with its stack) nobody reads.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new OutboundNetworkError('timeout', `timed out after ${req.timeoutMs} ms`)), req.timeoutMs);
    try {
      const res = await request(url, {
        dispatcher: this.agent,
        method: req.method as 'GET',
        headers: req.headers,
        body: req.body,
        signal: deadline.signal,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      throw deadline.signal.aborted ? (deadline.signal.reason as OutboundNetworkError) : toNetworkError(err, req.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  /** For SDKs that accept a custom fetch (openai, @anthropic-ai/sdk): the same pool. */
  readonly fetch = ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher: this.agent })) as unknown as typeof globalThis.fetch;

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close().catch(() => this.agent.destroy());
  }
}

function toNetworkError(err: unknown, timeoutMs: number): OutboundNetworkError {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return new OutboundNetworkError('timeout', `timed out after ${timeoutMs} ms`);
  const code = e?.code ?? e?.cause?.code ?? 'network';
  return new OutboundNetworkError(code, e?.cause?.message ?? e?.message ?? String(err));
}
