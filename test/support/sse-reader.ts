import { Agent, fetch } from 'undici';

/** One server-sent event (or a comment line, `comment` set) as read off the wire. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/**
 * Reads a text/event-stream response over real HTTP (fetch), frame by frame, so a test can
 * wait for the frames it expects and close the connection when done.
 */
export class SseReader {
  readonly frames: SseFrame[] = [];
  status = 0;
  headers?: { get(name: string): string | null };
  private readonly abort = new AbortController();
  // A pool of its own, destroyed by close(): an aborted stream leaves no socket behind to hold the server's close.
  private readonly agent = new Agent({ connections: 1 });
  private waiters: Array<() => void> = [];
  private done = false;

  async open(url: string, headers: Record<string, string> = {}): Promise<this> {
    const res = await fetch(url, { headers, signal: this.abort.signal, dispatcher: this.agent });
    this.status = res.status;
    this.headers = res.headers;
    if (res.status !== 200 || !res.body) {
      await res.text().catch(() => undefined);
      this.done = true;
      return this;
    }
    void this.pump(res.body);
    return this;
  }

  /** Resolves with the frames once `pred` holds for them; rejects after `ms`. */
  async until(pred: (frames: SseFrame[]) => boolean, ms = 5_000): Promise<SseFrame[]> {
    const deadline = Date.now() + ms;
    while (!pred(this.frames)) {
      if (this.done) throw new Error(`stream ended before the expected frames; got ${JSON.stringify(this.frames)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for frames; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.frames;
  }

  /** Whether the server ended the stream (or it never opened). */
  get ended(): boolean {
    return this.done;
  }

  events(type?: string): SseFrame[] {
    return this.frames.filter((f) => f.comment === undefined && (type === undefined || f.event === type));
  }

  close(): void {
    this.abort.abort();
    void this.agent.destroy().catch(() => undefined);
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          this.frames.push(parseFrame(buf.slice(0, cut)));
          buf = buf.slice(cut + 2);
        }
        this.wake();
      }
    } catch {
      // aborted by close()
    } finally {
      this.done = true;
      this.wake();
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comment = (frame.comment ? frame.comment + '\n' : '') + line.slice(1).trim();
    else {
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'id' || field === 'event') frame[field] = value;
      else if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
    }
  }
  return frame;
}
