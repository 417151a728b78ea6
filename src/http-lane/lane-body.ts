import type { IncomingMessage } from 'node:http';

/** Why a body could not be read: too large (413) or the client went away. */
export type BodyReadFailure = 'too_large' | 'aborted';

const EMPTY = Buffer.alloc(0);

/**
 * Whether the lane can read this body itself: plain (no content coding) UTF-8 or no
 * charset. Anything else (gzip, deflate, br, another charset) goes to Express, whose
 * body parser decodes and inflates it under the same limits; the route logic is the same.
 */
export function laneCanRead(req: IncomingMessage): boolean {
  const coding = req.headers['content-encoding'];
  if (coding !== undefined && coding.toLowerCase() !== 'identity') return false;
  const type = req.headers['content-type'];
  if (type === undefined || !type.includes('charset')) return true;
  const m = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type);
  return !m || /^utf-?8$/i.test(m[1]);
}

/** Reads the whole body, refusing it once it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | BodyReadFailure> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: Buffer | BodyReadFailure) => {
      if (done) return;
      done = true;
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onAborted);
      req.removeListener('aborted', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering; the rest is read and discarded so the answer can still be written.
        req.on('data', noop);
        return finish('too_large');
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    const onAborted = () => finish('aborted');
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onAborted);
    req.once('aborted', onAborted);
  });
}

const noop = () => undefined;

/** Parses the body the way Express's JSON parser does here: any JSON value, a leading BOM ignored. */
export function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false; message: string } {
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}
