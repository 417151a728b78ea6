/**
 * Structural checks on a parsed JSON body, before any route sees it: bounded depth and
 * size, no `__proto__` keys, and only well-formed strings (a lone surrogate breaks
 * encoders and validators downstream). Iterative, so hostile nesting cannot overflow
 * the stack here either; linear in the body's size.
 */
export interface BodyLimits {
  maxDepth: number;
  maxNodes: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxDepth: 32, maxNodes: 200_000 };

/** The first problem found, named with the JSON path where it is; undefined when the body is fine. */
export function bodyProblem(value: unknown, limits: BodyLimits = DEFAULT_BODY_LIMITS): string | undefined {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: value, depth: 0, path: '' }];
  let nodes = 0;
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (++nodes > limits.maxNodes) return `body has more than ${limits.maxNodes} values`;
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return `${path || 'body'} contains an ill-formed string (a lone surrogate)`;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limits.maxDepth) return `body is nested deeper than ${limits.maxDepth} levels`;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1, path: `${path}[${i}]` });
      continue;
    }
    for (const key of Object.keys(v)) {
      const at = path ? `${path}.${key.slice(0, 40)}` : key.slice(0, 40);
      if (key === '__proto__') return `${at}: the key __proto__ is not allowed`;
      if (!key.isWellFormed()) return `${path || 'body'} has a key that is an ill-formed string (a lone surrogate)`;
      stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1, path: at });
    }
  }
  return undefined;
}
