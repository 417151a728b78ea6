import { z } from 'zod';

/**
 * Field validators for the env schema. Every message says what is expected, including
 * the allowed range, so "LLM_TEMPERATURE=5" reads "must be between 0 and 2 (got "5")".
 */

export const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

export const string = (def: string, max = 1_000) => z.preprocess(emptyToUndefined, z.string().max(max, `must be at most ${max} characters`).default(def));

const rangeMessage = (min: number, max: number) =>
  max >= Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be between ${min} and ${max}`;

const number = (min: number, max: number, integer: boolean) => {
  let n = z.coerce.number({ error: 'must be a number' });
  if (integer) n = n.int('must be a whole number');
  const message = rangeMessage(min, max);
  return n.min(min, message).max(max, message);
};

export const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.preprocess(emptyToUndefined, number(min, max, true).default(def));
export const optionalInt = (min = 0, max = Number.MAX_SAFE_INTEGER) => z.preprocess(emptyToUndefined, number(min, max, true).optional());
export const num = (def: number, min: number, max: number) => z.preprocess(emptyToUndefined, number(min, max, false).default(def));
export const optionalNum = (min: number, max: number) => z.preprocess(emptyToUndefined, number(min, max, false).optional());

const url = (protocols: string[], example: string) =>
  z.url({
    protocol: new RegExp(`^(${protocols.join('|')})$`),
    message: `must be a ${protocols.join(' or ')} URL such as ${example}`,
  });

/** http(s) only: `localhost:1234` parses as a URL with protocol "localhost:", and every call would fail. */
export const httpUrl = (example: string) => url(['http', 'https'], example);
export const optionalHttpUrl = (example: string) => z.preprocess(emptyToUndefined, httpUrl(example).optional());
export const redisUrl = (fallback: string) => z.preprocess(emptyToUndefined, url(['redis', 'rediss'], 'redis://127.0.0.1:6379').default(fallback));
export const optionalPostgresUrl = z.preprocess(emptyToUndefined, url(['postgres', 'postgresql'], 'postgres://user@127.0.0.1:5432/db').optional());

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, yes: true, on: true, false: false, '0': false, no: false, off: false };

const toBoolean = (v: unknown) => {
  const s = emptyToUndefined(v);
  if (s === undefined || typeof s === 'boolean') return s;
  return BOOLEAN_WORDS[String(s).toLowerCase()] ?? s;
};

export const bool = (def: boolean) => z.preprocess(toBoolean, z.boolean({ message: 'must be true or false' }).default(def));
export const optionalBool = z.preprocess(toBoolean, z.boolean({ message: 'must be true or false' }).optional());

const toList = (v: unknown) => {
  const s = emptyToUndefined(v);
  if (s === undefined) return undefined;
  return String(s)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
};

export const csv = (def: string[]) => z.preprocess(toList, z.array(z.string()).default(def));

const ids = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.array(z.enum(values, { message: `each entry must be one of ${values.join(', ')}` })).transform((list) => [...new Set(list)]);

/** A comma list of known ids; duplicates removed. */
export const idList = <const T extends readonly [string, ...string[]]>(values: T, def: T[number][]) => z.preprocess(toList, ids(values).default(def as never));

/** Like idList, but undefined when unset (the default depends on other variables). */
export const optionalIdList = <const T extends readonly [string, ...string[]]>(values: T) => z.preprocess(toList, ids(values).optional());

export const enumOf = <const T extends readonly [string, ...string[]]>(values: T, def: T[number]) =>
  z.preprocess(emptyToUndefined, z.enum(values, { message: `must be one of ${values.join(', ')}` }).default(def as never));

export const optionalEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(emptyToUndefined, z.enum(values, { message: `must be one of ${values.join(', ')}` }).optional());

/** `1mb`, `512kb`, `2048` (bytes). */
export const byteSize = (def: string) =>
  z.preprocess(emptyToUndefined, z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'must be a size such as 1mb, 512kb or 1048576').default(def));

/** Byte count for BODY_LIMIT-style values. */
export function toBytes(size: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(size.trim());
  if (!m) throw new Error(`invalid size ${size}`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit === 'gb' ? 1024 ** 3 : unit === 'mb' ? 1024 ** 2 : unit === 'kb' ? 1024 : 1;
  return Math.floor(n * factor);
}
