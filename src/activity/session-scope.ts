import type { SessionScope } from './session-store/session-store.port';

/** NUL-separated, so no product id / session id pair can collide with another. */
export const scopeKey = (s: SessionScope): string => `${s.productId}\u0000${s.sessionId}`;
