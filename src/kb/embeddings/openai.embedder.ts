import OpenAI from 'openai';
import { EmbeddingError, type Embedder, type EmbeddingFailureReason } from './embedder.port';

export interface OpenAiEmbedderOptions {
  baseUrl: string;
  apiKey: string;
  model: string;
  dimensions?: number;
  /** Per-attempt ceiling; the resilient wrapper passes the remaining budget as an abort signal. */
  timeoutMs: number;
}

function statusReason(status: number): EmbeddingFailureReason {
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500) return 'server_error';
  return 'bad_request';
}

/** `retry-after-ms` (ms) or `Retry-After` (seconds or an HTTP date), capped so a server cannot park us for long. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now(), capMs = 60_000): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.min(capMs, Math.max(0, Number(ms)));
  const ra = headers?.get('retry-after')?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.min(capMs, Number(ra) * 1000);
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.min(capMs, Math.max(0, at - now));
}

function toEmbeddingError(err: unknown, signal: AbortSignal | undefined): EmbeddingError {
  if (err instanceof EmbeddingError) return err;
  if (signal?.aborted) return new EmbeddingError('aborted', 'embeddings call aborted', undefined, err);
  const e = err as { status?: unknown; headers?: { get(name: string): string | null }; message?: string };
  const name = (err as object | undefined)?.constructor?.name ?? '';
  const message = e?.message ?? String(err);
  if (name === 'APIConnectionTimeoutError') return new EmbeddingError('timeout', message, undefined, err);
  if (typeof e?.status !== 'number') return new EmbeddingError('network', message, undefined, err);
  return new EmbeddingError(statusReason(e.status), message, retryAfterMs(e.headers), err);
}

/** Any OpenAI-compatible `POST /embeddings` through the official client (OpenAI, Azure v1, Ollama, vLLM, LM Studio …). */
export class OpenAiEmbedder implements Embedder {
  readonly name = 'openai';
  readonly model: string;
  private readonly client: OpenAI;

  constructor(private readonly opts: OpenAiEmbedderOptions) {
    this.model = opts.model;
    this.client = new OpenAI({
      apiKey: opts.apiKey,
      // Explicit, so the SDK never reads OPENAI_* from the environment behind our back.
      baseURL: opts.baseUrl,
      organization: null,
      project: null,
      // Retries are the resilient wrapper's job; SDK retries would hide failures from the breaker.
      maxRetries: 0,
      timeout: opts.timeoutMs,
    });
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    if (texts.length === 0) return [];
    let res: OpenAI.Embeddings.CreateEmbeddingResponse;
    try {
      res = await this.client.embeddings.create(
        { model: this.opts.model, input: [...texts], encoding_format: 'float', ...(this.opts.dimensions ? { dimensions: this.opts.dimensions } : {}) },
        { signal },
      );
    } catch (err) {
      throw toEmbeddingError(err, signal);
    }
    const data = Array.isArray(res?.data) ? res.data : [];
    if (data.length !== texts.length) throw new EmbeddingError('bad_response', `expected ${texts.length} embeddings, got ${data.length}`);
    const out: number[][] = new Array(texts.length);
    for (const [i, item] of data.entries()) {
      const at = typeof item.index === 'number' ? item.index : i;
      const v = item.embedding as unknown;
      if (!Array.isArray(v) || v.length === 0 || at < 0 || at >= texts.length || out[at]) throw new EmbeddingError('bad_response', 'malformed embedding in response');
      out[at] = v as number[];
    }
    const dim = out[0].length;
    if (out.some((v) => v.length !== dim || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)))) throw new EmbeddingError('bad_response', 'embeddings of mixed sizes or with non-numbers');
    return out;
  }
}
