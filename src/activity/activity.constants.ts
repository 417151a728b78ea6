/** Injection token for the SessionStore port (memory or redis, chosen in SessionStoreModule). */
export const SESSION_STORE = Symbol('SESSION_STORE');
