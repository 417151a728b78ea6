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

/**
 * A local OpenAI-compatible server (POST /v1/chat/completions) for tests: the real
 * `openai` client talks to it over 127.0.0.1. It records every request so tests can
 * assert on the exact prompt. Default reply: "fake reply #<n>".
 */
export class FakeOpenAiServer {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private responder: Responder = (_r, i) => ({ text: `fake reply #${i + 1}` });
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
}
