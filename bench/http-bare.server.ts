/**
 * Reference for bench/http-ack.ts: a bare node:http server doing the same parse and
 * check as the service's acknowledgement paths, and nothing else. Reads the whole body,
 * JSON.parse, compares `?key=` in constant time (both sides hashed, as src/common/secrets
 * does), then answers: POST /crisp/hooks 200 {"status":"ok"} (401 on a bad key),
 * POST /v1/activity 202, GET /healthz 200. Listens on 127.0.0.1:$PORT.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const SECRET = process.env.CRISP_WEBHOOK_SECRET ?? '';
const digest = (s: string) => createHmac('sha256', 'bench/compare').update(s).digest();
const SECRET_DIGEST = digest(SECRET);
const safeEqual = (given: string | null) => given !== null && timingSafeEqual(digest(given), SECRET_DIGEST) && given.length === SECRET.length;

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readJson(req: IncomingMessage, then: (body: any) => void, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: any;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, '{"statusCode":400,"message":"invalid JSON"}');
    }
    if (!body || typeof body !== 'object') return send(res, 400, '{"statusCode":400,"message":"body must be a JSON object"}');
    then(body);
  });
}

createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (req.method === 'GET' && path === '/healthz') return send(res, 200, '{"status":"ok"}');
  if (req.method === 'POST' && path === '/crisp/hooks') {
    const key = new URLSearchParams(q < 0 ? '' : url.slice(q + 1)).get('key');
    return readJson(req, (body) => {
      if (!safeEqual(key)) return send(res, 401, '{"statusCode":401,"message":"Unauthorized"}');
      const data = body.data ?? {};
      // What the service would queue a reply for; here nothing is done with it.
      if (body.event === 'message:send' && data.from === 'user' && data.type === 'text') queueMicrotask(() => undefined);
      send(res, 200, '{"status":"ok"}');
    }, res);
  }
  if (req.method === 'POST' && path === '/v1/activity') {
    return readJson(req, (body) => {
      const actions = Array.isArray(body.actions) ? body.actions.length : 0;
      send(res, 202, body.type === 'actions' ? `{"status":"accepted","type":"actions","actions":${actions}}` : '{"status":"ignored"}');
    }, res);
  }
  send(res, 404, '{"statusCode":404,"message":"Not Found"}');
}).listen(Number(process.env.PORT), '127.0.0.1');
