import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { RuleSet } from './rule.types';
import { parseRulesDocument } from './rules.parser';

/** A rules file that cannot be used; `errors` lists every problem found. */
export class RulesFileError extends Error {
  constructor(
    readonly file: string,
    readonly errors: string[],
  ) {
    super(`invalid rules file ${file}:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    this.name = 'RulesFileError';
  }
}

const MAX_RULES_FILE_BYTES = 1_000_000;

/** Reads a YAML (.yml/.yaml) or JSON rules file and validates it. Throws RulesFileError. */
export async function loadRulesFile(file: string): Promise<RuleSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RulesFileError(file, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  return parseRulesText(text, file);
}

/** Same as loadRulesFile for text already in memory; `name` decides the format (.json or YAML). */
export function parseRulesText(text: string, name: string): RuleSet {
  if (text.length > MAX_RULES_FILE_BYTES) throw new RulesFileError(name, [`is larger than ${MAX_RULES_FILE_BYTES} bytes`]);
  let doc: unknown;
  try {
    doc = extname(name).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 50 });
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    const what = err instanceof YAMLParseError ? err.message.split('\n')[0] : (err as Error).message;
    throw new RulesFileError(name, [`not valid ${extname(name).toLowerCase() === '.json' ? 'JSON' : 'YAML'}${where}: ${what}`]);
  }
  const r = parseRulesDocument(doc, name);
  if (!r.ok) throw new RulesFileError(name, r.errors);
  return r.ruleSet;
}
