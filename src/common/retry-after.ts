/** `Retry-After` and friends, as servers (LLM providers, Crisp) send them. */

export type HeaderBag = { get(name: string): string | null } | Record<string, string | string[] | undefined> | undefined | null;

function header(headers: HeaderBag, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Reads `retry-after-ms` (OpenAI/Anthropic extension, ms) or `Retry-After`
 * (seconds or an HTTP date). Capped so a hostile or confused server cannot
 * park a call for hours.
 */
export function parseRetryAfterMs(headers: HeaderBag, now = Date.now(), capMs = 60_000): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) {
    return Math.min(capMs, Math.max(0, Number(ms)));
  }
  const ra = header(headers, 'retry-after');
  if (ra === undefined || ra.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(ra.trim())) return Math.min(capMs, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.min(capMs, Math.max(0, date - now));
}

