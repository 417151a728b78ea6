import { Injectable } from '@nestjs/common';

export interface RecentError {
  /** Epoch ms. */
  at: number;
  level: 'error' | 'fatal';
  /** The log line's message and, when it logged one, the error's message (capped). */
  message: string;
  /** The Nest logger context (class name), when there is one. */
  context?: string;
}

const MAX_ENTRIES = 50;
const MAX_CHARS = 300;
const PINO_ERROR = 50;

/**
 * The last error and fatal log lines of this process, for the operator console. Fed by
 * a pino hook (logger.options.ts) that keeps only the message, the logged error's message
 * and the context: never the rest of the log object, which may carry request data.
 */
@Injectable()
export class RecentErrors {
  private readonly entries: RecentError[] = [];

  /** pino `hooks.logMethod` arguments: what was passed to logger.error(...) and the numeric level. */
  record(args: unknown[], level: number, now = Date.now()): void {
    if (level < PINO_ERROR) return;
    const [first, second] = args;
    const obj = first && typeof first === 'object' ? (first as Record<string, unknown>) : undefined;
    const msg = typeof first === 'string' ? first : typeof second === 'string' ? second : '';
    const errValue = obj?.err;
    const err = errValue instanceof Error ? errValue.message : typeof errValue === 'string' ? errValue : typeof obj?.message === 'string' ? obj.message : undefined;
    const message = [msg, err && err !== msg ? err : undefined].filter(Boolean).join(': ');
    const context = typeof obj?.context === 'string' ? obj.context : undefined;
    this.entries.push({ at: now, level: level >= 60 ? 'fatal' : 'error', message: message.slice(0, MAX_CHARS) || '(no message)', context: context?.slice(0, 100) });
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
  }

  /** Newest first. */
  list(): RecentError[] {
    return [...this.entries].reverse();
  }
}
