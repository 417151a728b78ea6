import { SetMetadata } from '@nestjs/common';
import type { Request } from 'express';

/** The throttler storage the browser endpoints count in (memory, or Redis with STORE=redis). */
export const BROWSER_THROTTLER_STORAGE = Symbol('BROWSER_THROTTLER_STORAGE');

/** Headers that carry the browser's identity on POSTs. */
export const USER_ID_HEADER = 'x-user-id';
export const USER_TOKEN_HEADER = 'x-user-token';

/** A request the access guard let through: the user its token proves (the only user it may read or write). */
export interface BrowserRequest extends Request {
  browserUserId?: string;
}

const TOKEN_IN_QUERY = 'browser:token-in-query';

/**
 * The route takes its credentials from `?userId=…&token=…`: EventSource cannot set headers.
 * Only the stream uses it; `token` is masked in logged URLs (logger.options.ts).
 */
export const TokenInQuery = () => SetMetadata(TOKEN_IN_QUERY, true);
export const TOKEN_IN_QUERY_KEY = TOKEN_IN_QUERY;

