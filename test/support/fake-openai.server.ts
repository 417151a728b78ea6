import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listenOnLoopback, closeLoopback, readJsonBody } from './loopback-http';

/** One request the fake server received (body already parsed). */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/** What to answer: a chat completion text, or a raw HTTP status/body, optionally after a delay. */
export type FakeReply =
  | { text: string; delayMs?: number; model?: string }
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | { hang: true };

export type Responder = (req: RecordedRequest, index: number) => FakeReply;

/** What to answer on /embeddings: hashed bag-of-words vectors (default), or a raw HTTP status/body. */
export type EmbeddingReply = { embed: true; dimension?: number; delayMs?: number } | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number } | { hang: true };

export type EmbeddingResponder = (req: RecordedRequest, index: number) => EmbeddingReply;

/**
 * Deterministic embedding for tests: each lowercase word (and its first five letters,
 * so "invites" and "invitation" meet) is hashed into one of `dimension` buckets with
 * a sign, then the vector is L2-normalised. Texts that share words end up near.
 */
export function hashedEmbedding(text: string, dimension = 64): number[] {
  const v = new Array<number>(dimension).fill(0);
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 2);
  for (const w of words) {
    for (const token of w.length > 5 ? [w, w.slice(0, 5)] : [w]) {
      let h = 2_166_136_261;
      for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 16_777_619) >>> 0;
      v[h % dimension] += h & 0x80000000 ? -1 : 1;
    }
  }
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  return norm === 0 ? v.map((_, i) => (i === 0 ? 1 : 0)) : v.map((x) => x / norm);
}

/**
 * A local OpenAI-compatible server (POST /v1/chat/completions) for tests: the real
 * `openai` client talks to it over 127.0.0.1. It records every request so tests can
 * assert on the exact prompt. Default reply: "fake reply #<n>".
 */
export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private responder: Responder = (_r, i) => ({ text: `fake reply #${i + 1}` });
  private embeddingResponder: EmbeddingResponder = () => ({ embed: true });
  private readonly hanging = new Set<ServerResponse>();

  /** Base URL to use as OPENAI_BASE_URL (ends with /v1). */
  url = '';

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** Queue of replies used in order; the last one repeats. */
  respondInOrder(...replies: FakeReply[]): void {
    this.respondWith((_r, i) => replies[Math.min(i, replies.length - 1)]);
  }

  chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions'));
  }

  /** How /embeddings requests are answered (default: hashed bag-of-words vectors of 64 dimensions). */
  respondToEmbeddingsWith(responder: EmbeddingResponder): void {
    this.embeddingResponder = responder;
  }

  embeddingRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/embeddings'));
  }

  /** Every input text sent to /embeddings so far, in order. */
  embeddedInputs(): string[] {
    return this.embeddingRequests().flatMap((r) => (Array.isArray(r.body?.input) ? r.body.input : [r.body?.input]));
  }

  async start(): Promise<this> {
    const { server, url } = await listenOnLoopback((req, res) => this.handle(req, res));
    this.server = server;
    this.url = `${url}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    await closeLoopback(this.server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    void readJsonBody(req).then((body) => {
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      const index = this.requests.length;
      this.requests.push(recorded);
      if (recorded.path.endsWith('/embeddings')) return this.answerEmbeddings(recorded, res);
      const reply = this.responder(recorded, index);
      if ('hang' in reply) {
        this.hanging.add(res);
        return;
      }
      const send = () => {
        if ('text' in reply) {
          const model = reply.model ?? body?.model ?? 'fake-model';
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              id: `chatcmpl-${index + 1}`,
              object: 'chat.completion',
              created: Math.floor(Date.now() / 1000),
              model,
              choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: reply.text } }],
              usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
            }),
          );
        } else {
          res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
          res.end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}`, type: 'test' } }));
        }
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  }

  private answerEmbeddings(recorded: RecordedRequest, res: ServerResponse): void {
    const reply = this.embeddingResponder(recorded, this.embeddingRequests().length - 1);
    if ('hang' in reply) {
      this.hanging.add(res);
      return;
    }
    const send = () => {
      if ('embed' in reply) {
        const inputs: string[] = Array.isArray(recorded.body?.input) ? recorded.body.input : [String(recorded.body?.input ?? '')];
        const dimension = recorded.body?.dimensions ?? reply.dimension ?? 64;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            object: 'list',
            model: recorded.body?.model ?? 'fake-embedding',
            data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: hashedEmbedding(text, dimension) })),
            usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
          }),
        );
      } else {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
        res.end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}`, type: 'test' } }));
      }
    };
    if (reply.delayMs) setTimeout(send, reply.delayMs);
    else send();
  }
}
