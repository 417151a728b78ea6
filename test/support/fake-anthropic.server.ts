import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listenOnLoopback, closeLoopback, readJsonBody } from './loopback-http';
import type { FakeReply, RecordedRequest, Responder } from './fake-openai.server';

/**
 * A local server speaking the Anthropic Messages protocol (POST /v1/messages) for
 * tests: the real `@anthropic-ai/sdk` client talks to it over 127.0.0.1. Records
 * every request. Default reply: "fake anthropic reply #<n>".
 */
export class FakeAnthropicServer {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private responder: Responder = (_r, i) => ({ text: `fake anthropic reply #${i + 1}` });
  private readonly hanging = new Set<ServerResponse>();

  /** Base URL to use as ANTHROPIC_BASE_URL (the SDK appends /v1/messages). */
  url = '';

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  respondInOrder(...replies: FakeReply[]): void {
    this.respondWith((_r, i) => replies[Math.min(i, replies.length - 1)]);
  }

  messageRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/v1/messages'));
  }

  async start(): Promise<this> {
    const { server, url } = await listenOnLoopback((req, res) => this.handle(req, res));
    this.server = server;
    this.url = url;
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
          res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${index + 1}` });
          res.end(
            JSON.stringify({
              id: `msg_${index + 1}`,
              type: 'message',
              role: 'assistant',
              model: reply.model ?? body?.model ?? 'fake-claude',
              content: [{ type: 'text', text: reply.text }],
              stop_reason: 'end_turn',
              stop_sequence: null,
              usage: { input_tokens: 13, output_tokens: 5 },
            }),
          );
        } else {
          res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
          res.end(JSON.stringify(reply.body ?? { type: 'error', error: { type: 'api_error', message: `status ${reply.status}` } }));
        }
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  }
}
