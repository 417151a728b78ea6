/**
 * Tokenisation shared by indexing and querying: lowercase, accents folded, split on
 * anything that is not a letter or digit, common English function words dropped,
 * then a light suffix-stripping stemmer so "invites", "invited", "inviting" and
 * "invitation" meet at one term.
 */

// Function words only: words that carry meaning in support questions ("not", "all", "once", "new") stay.
const STOPWORDS = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have having he her here hers him his how i if in ' +
    'into is it its itself just me my myself of on or our ours she should so than that the their them then there these they this those to ' +
    'too us was we were what when where which while who whom why will with would you your yours yourself im ive id dont doesnt didnt cant ' +
    'please hi hello thanks thank hey also any some way get got want need like'
  ).split(' '),
);

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}

const VOWEL = /[aeiouy]/;

/** Removes `suffix` when what remains is at least `minStem` letters long and has a vowel. */
function strip(word: string, suffix: string, minStem = 3): string | undefined {
  if (!word.endsWith(suffix)) return undefined;
  const stem = word.slice(0, -suffix.length);
  return stem.length >= minStem && VOWEL.test(stem) ? stem : undefined;
}

/**
 * A light English stemmer (inflections plus -ation/-ly). Deliberately conservative:
 * a wrong merge hurts ranking more than a missed one.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (w.endsWith("'s")) w = w.slice(0, -2);
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ches') || w.endsWith('shes') || w.endsWith('xes')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is') && w.length > 3) w = w.slice(0, -1);

  const suffixed = strip(w, 'ations', 4) ?? strip(w, 'ation', 4) ?? strip(w, 'ingly') ?? strip(w, 'edly') ?? strip(w, 'ing') ?? strip(w, 'ed') ?? strip(w, 'ly', 4);
  if (suffixed !== undefined) {
    w = suffixed;
    // "planned" -> "plan", "setting" -> "set"; ll/ss/zz are handled below or are real.
    if (/([bdfgmnprt])\1$/.test(w)) w = w.slice(0, -1);
  }
  if (w.endsWith('ll') && w.length > 4) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  if (w.endsWith('i') && suffixed !== undefined && w.length > 3) w = `${w.slice(0, -1)}y`;
  return w;
}

/** Lowercased, accent-folded words (letters and digits), in order. */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** One raw word to its index term, or undefined for a stopword. */
export function processTerm(word: string): string | undefined {
  const w = word.toLowerCase();
  if (w.length === 0 || w.length > 40 || isStopword(w)) return undefined;
  return stem(w);
}

/** Index terms of a text (stopwords removed, stemmed), in order, duplicates kept. */
export function terms(text: string): string[] {
  return words(text)
    .map(processTerm)
    .filter((t): t is string => t !== undefined);
}
