/** Optional ConsoleDecisions provider (console-decisions.port.ts); unbound while the proactive engine is off. */
export const CONSOLE_DECISIONS = Symbol('CONSOLE_DECISIONS');
/** The console's session cookie (HttpOnly, SameSite=Strict, Path=/console). */
export const CONSOLE_COOKIE = 'ac_console';
/** Every console route lives under this prefix. */
export const CONSOLE_PATH = '/console';
