// String.prototype.isWellFormed / toWellFormed exist from Node 20 (ES2024); the project compiles against the ES2022 lib.
type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

/** False when the string holds a lone UTF-16 surrogate (text that cannot be encoded as UTF-8). */
export function isWellFormed(s: string): boolean {
  return (s as WellFormedString).isWellFormed();
}

/** Lone surrogates replaced by U+FFFD. */
export function toWellFormed(s: string): string {
  return (s as WellFormedString).toWellFormed();
}
