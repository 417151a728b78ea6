import { applyDecorators } from '@nestjs/common';
import { ApiResponse, ApiSecurity } from '@nestjs/swagger';

/** Security scheme names, declared once in openapi.ts. */
export const SECURITY = {
  apiKey: 'api-key',
  apiKeyQuery: 'api-key-query',
  rasaToken: 'rasa-action-token',
  rasaTokenQuery: 'rasa-action-token-query',
  connectorSignature: 'connector-signature',
  posthogSecret: 'posthog-secret',
  crispKey: 'crisp-hook-key',
  metricsToken: 'metrics-token',
  browserUserId: 'browser-user-id',
  browserUserToken: 'browser-user-token',
  browserStreamUserId: 'browser-stream-user-id',
  browserStreamToken: 'browser-stream-token',
  consoleSession: 'console-session',
} as const;

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed; the message names the field',
  401: 'Missing or invalid credentials (the message does not say which part failed)',
  403: 'Refused: the request came from another origin',
  404: 'Not found',
  413: 'Body larger than this route accepts',
  429: 'Too many requests; see Retry-After',
  503: 'Temporarily unavailable; retry later (webhook senders redeliver)',
};

/** Error responses in the shared `ErrorBody` shape (openapi.ts attaches the schema to every 4xx/5xx). */
export const ApiErrors = (...statuses: number[]) => applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error' })));

/** Bearer API key (API_KEYS) with its 401, and 429 where the chat rate limit applies. */
export const ApiKeyAuth = (opts: { rateLimited?: boolean } = {}) =>
  applyDecorators(ApiSecurity(SECURITY.apiKey), ApiErrors(401, ...(opts.rateLimited ? [429] : [])));
