/** Injection token for the UserEventBus port (memory or redis, chosen by STORE). */
export const USER_EVENT_BUS = Symbol('USER_EVENT_BUS');
