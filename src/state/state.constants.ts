/** Injection token for the KeyValueStore port (memory or redis, chosen by STORE). */
export const KEY_VALUE_STORE = Symbol('KEY_VALUE_STORE');
