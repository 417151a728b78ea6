import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeLoopback, listenOnLoopback, readJsonBody } from './loopback-http';

/** One trigger_intent call the fake Rasa server received. */
export interface RasaTriggerRequest {
  conversationId: string;
  query: Record<string, string>;
  body: any;
  status: number;
  /** What the action server answered when the fake ran the bot's rule (actionServerUrl set). */
  uttered?: string[];
}

/**
 * A local stand-in for Rasa's HTTP API (`rasa run --enable-api --auth-token …`) over
 * 127.0.0.1: `POST /conversations/{id}/trigger_intent` checks `?token=`, answers 404 for
 * an intent outside its domain (as Rasa does), and, given an action server URL, runs the
 * bot's rule for the intent the way Rasa would: an action call with the entities in
 * `tracker.latest_message`, whose responses come back as `messages`.
 */
export class FakeRasaServer {
  readonly triggers: RasaTriggerRequest[] = [];
  url = '';
  private server?: Server;
  /** Next statuses to answer with, before the default behaviour applies. */
  readonly scripted: number[] = [];

  constructor(private readonly opts: { token?: string; intents: Record<string, string>; actionServerUrl?: string; actionToken?: string }) {}

  async start(): Promise<this> {
    const { server, url } = await listenOnLoopback((req, res) => void this.handle(req, res));
    this.server = server;
    this.url = url;
    return this;
  }

  async stop(): Promise<void> {
    await closeLoopback(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req);
    const u = new URL(req.url ?? '/', 'http://x');
    const m = /^\/conversations\/([^/]+)\/trigger_intent$/.exec(u.pathname);
    const answer = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'POST' || !m) return answer(404, { status: 'failure', reason: 'NotFound' });
    const rec: RasaTriggerRequest = { conversationId: decodeURIComponent(m[1]), query: Object.fromEntries(u.searchParams), body, status: 200 };
    this.triggers.push(rec);
    const scripted = this.scripted.shift();
    if (scripted !== undefined) {
      rec.status = scripted;
      return answer(scripted, { status: 'failure', code: scripted });
    }
    if (this.opts.token && u.searchParams.get('token') !== this.opts.token) {
      rec.status = 401;
      return answer(401, { status: 'failure', reason: 'NotAuthenticated', code: 401 });
    }
    const action = typeof body?.name === 'string' ? this.opts.intents[body.name] : undefined;
    if (!action) {
      rec.status = 404;
      return answer(404, { status: 'failure', reason: 'NotFound', message: `The intent '${body?.name}' does not exist in the domain.`, code: 404 });
    }
    let messages: Array<{ recipient_id: string; text: string }> = [];
    if (this.opts.actionServerUrl) {
      const entities = Object.entries((body.entities ?? {}) as Record<string, unknown>).map(([entity, value]) => ({ entity, value }));
      const call = {
        next_action: action,
        sender_id: rec.conversationId,
        tracker: { sender_id: rec.conversationId, latest_message: { text: `/${body.name}`, intent: { name: body.name, confidence: 1 }, entities } },
        domain: {},
        version: '3.6.20',
      };
      const r = await fetch(`${this.opts.actionServerUrl}/rasa/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.opts.actionToken ? { authorization: `Bearer ${this.opts.actionToken}` } : {}) },
        body: JSON.stringify(call),
      });
      const out = (await r.json()) as { responses?: Array<{ text?: string }> };
      rec.uttered = (out.responses ?? []).map((x) => x.text ?? '');
      messages = rec.uttered.map((text) => ({ recipient_id: rec.conversationId, text }));
    }
    answer(200, { tracker: { sender_id: rec.conversationId }, messages });
  }
}
