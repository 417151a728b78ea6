import type { z } from 'zod';

/** Receives one validation problem; `path` is relative to whatever the caller is validating. */
export type IssueSink = (path: string, message: string) => void;

/** ['criteria', 'all', 1, 'repeated_action'] → "criteria.all[1].repeated_action". */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out;
}

export function joinPath(base: string, rel: string): string {
  if (!rel) return base;
  if (!base) return rel;
  return rel.startsWith('[') ? `${base}${rel}` : `${base}.${rel}`;
}

/** A sink that prefixes every path with `base`. */
export function nested(issue: IssueSink, base: string): IssueSink {
  return (path, message) => issue(joinPath(base, path), message);
}

/** Runs a zod schema and reports each problem with its path; unknown keys are named one by one. */
export function parseWith<S extends z.ZodType>(schema: S, raw: unknown, issue: IssueSink): z.output<S> | null {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  for (const i of r.error.issues) {
    const path = formatPath(i.path);
    if (i.code === 'unrecognized_keys') {
      for (const key of i.keys) issue(joinPath(path, key), 'unknown field');
    } else {
      issue(path, i.message);
    }
  }
  return null;
}
