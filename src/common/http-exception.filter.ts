import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { DependencyUnavailableError, RETRY_AFTER_SECONDS } from './dependency-unavailable.error';

const DEPENDENCY_NAMES: Record<string, string> = { redis: 'Storage (Redis)', job_queue: 'The job queue' };

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  [extra: string]: unknown;
}

/** Turns anything thrown into `{statusCode, error, message}`; never leaks a stack trace. */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const res = exception.getResponse();
    const base: ErrorBody = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message: exception.message };
    if (typeof res === 'string') return { ...base, message: res };
    if (res && typeof res === 'object') {
      const r = res as Record<string, unknown>;
      const { statusCode: _s, error, message, ...extra } = r;
      return {
        ...extra,
        statusCode: status,
        error: typeof error === 'string' ? error : base.error,
        message: (message as string | string[]) ?? base.message,
      };
    }
    return base;
  }
  if (exception instanceof DependencyUnavailableError) {
    return { statusCode: 503, error: 'Service Unavailable', message: `${DEPENDENCY_NAMES[exception.dependency] ?? 'A backing service'} is unavailable; retry shortly` };
  }
  // body-parser and other connect-style errors carry an HTTP status.
  const e = exception as { status?: number; statusCode?: number; type?: string; message?: string; expose?: boolean };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    let message = e.expose === false ? (STATUS_CODES[status] ?? 'Bad request') : (e.message ?? 'Bad request');
    if (e.type === 'entity.parse.failed') message = `Invalid JSON body: ${e.message}`;
    if (e.type === 'entity.too.large') message = 'Request body is larger than the configured limit (BODY_LIMIT)';
    if (e.type === 'encoding.unsupported') message = 'Unsupported content encoding';
    return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message };
  }
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    error: 'Internal Server Error',
    message: 'Internal server error',
  };
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = toErrorBody(exception);
    // A deliberate 5xx (503 from readiness, a full queue) is an answer, not a bug: no stack trace for it.
    if (exception instanceof DependencyUnavailableError) {
      this.logger.warn({ dependency: exception.dependency, reason: exception.message }, 'request refused: a backing service is unavailable');
    } else if (body.statusCode >= 500 && !(exception instanceof HttpException)) {
      this.logger.error({ err: exception }, 'unhandled error while serving a request');
    }
    if (res.headersSent) return;
    if (body.statusCode === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(body.statusCode).json(body);
  }
}
