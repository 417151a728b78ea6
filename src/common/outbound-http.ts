import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';
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

  /**
   * One call, answered with its whole body as text. Built on undici's dispatch handler
   * rather than `request()`: no body stream, no AbortSignal, no promise per step; the reply
   * path makes four of these per answer, and the stream-based API cost ~2× the CPU per call.
   */
  request(url: string, req: OutboundRequest): Promise<OutboundResponse> {
    return new Promise<OutboundResponse>((resolve, reject) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        reject(new OutboundNetworkError('invalid_url', 'not an absolute URL'));
        return;
      }
      const call = new BufferedCall(resolve, reject, req.timeoutMs);
      try {
        this.agent.dispatch({ origin: target.origin, path: `${target.pathname}${target.search}`, method: req.method as 'GET', headers: req.headers, body: req.body }, call);
      } catch (err) {
        call.onResponseError(undefined, err as Error);
      }
    });
  }

  /** For SDKs that accept a custom fetch (openai, @anthropic-ai/sdk): the same pool. */
  readonly fetch = ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher: this.agent })) as unknown as typeof globalThis.fetch;

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close().catch(() => this.agent.destroy());
  }
}

/** Bodies we read from a service we call: its answers are small JSON; a larger one is refused, not buffered. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * Collects one response for OutboundHttp.request and settles its promise once: on the end of
 * the body, an error, or the call's deadline (a timer of ours, cleared when the call is over,
 * which aborts the request wherever it is: waiting for a socket, sending, or reading).
 */
class BufferedCall implements Dispatcher.DispatchHandler {
  private controller?: Dispatcher.DispatchController;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private chunks: Buffer[] = [];
  private bytes = 0;
  private failure?: OutboundNetworkError;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (res: OutboundResponse) => void,
    private readonly reject: (err: OutboundNetworkError) => void,
    private readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.fail(new OutboundNetworkError('timeout', `timed out after ${timeoutMs} ms`)), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // The deadline passed while the call waited for a socket: it is not sent at all.
    if (this.failure) controller.abort(this.failure);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    this.headers = headers;
    this.chunks = [];
    this.bytes = 0;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > MAX_RESPONSE_BYTES) this.fail(new OutboundNetworkError('response_too_large', `the response is over ${MAX_RESPONSE_BYTES} bytes`), controller);
    else this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.failure) return;
    clearTimeout(this.timer);
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.resolve({ status: this.status, headers: this.headers, text: body.toString('utf8') });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    this.fail(err instanceof OutboundNetworkError ? err : toNetworkError(err, this.timeoutMs));
  }

  private fail(err: OutboundNetworkError, controller = this.controller): void {
    if (this.failure) return;
    this.failure = err;
    clearTimeout(this.timer);
    this.chunks = [];
    this.reject(err);
    controller?.abort(err);
  }
}

function toNetworkError(err: unknown, timeoutMs: number): OutboundNetworkError {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return new OutboundNetworkError('timeout', `timed out after ${timeoutMs} ms`);
  const code = e?.code ?? e?.cause?.code ?? 'network';
  return new OutboundNetworkError(code, e?.cause?.message ?? e?.message ?? String(err));
}
