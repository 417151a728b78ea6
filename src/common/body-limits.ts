import type { appConfig, ConfigOf } from '../config/config.namespaces';
import type { ErrorBody } from './http-exception.filter';

/** Routes that need little get little (CHAT_BODY_LIMIT, HOOK_BODY_LIMIT, BROWSER_EVENTS_BODY_LIMIT); everything else gets BODY_LIMIT. */
export function bodyLimitFor(cfg: ConfigOf<typeof appConfig>, path: string): number {
  if (path === '/v1/chat' || path === '/v1/browser/chat') return cfg.chatBodyLimitBytes;
  if (path === '/v1/browser/events') return cfg.browserEventsBodyLimitBytes;
  if (path === '/crisp/hooks') return cfg.hookBodyLimitBytes;
  return cfg.bodyLimitBytes;
}

export function tooLarge(limit: number): ErrorBody {
  return { statusCode: 413, error: 'Payload Too Large', message: `Request body is larger than this route accepts (${limit} bytes)` };
}

export const SHUTTING_DOWN: ErrorBody = Object.freeze({ statusCode: 503, error: 'Service Unavailable', message: 'The service is shutting down; retry shortly' });
