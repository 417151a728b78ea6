import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `.env.example` is the one description of every variable; the README's configuration
 * table is generated from it (`npm run docs:config`), and a spec fails when it is stale.
 * Format: `# --- Section ---` headers, then for each variable one or more `# ...`
 * description lines directly above `NAME=default`.
 */

export interface EnvDoc {
  section: string;
  name: string;
  default: string;
  description: string;
}

const ROOT = join(__dirname, '..');
export const START = '<!-- section: config-table -->';
export const END = '<!-- end: config-table -->';

export function parseEnvExample(text: string): EnvDoc[] {
  const docs: EnvDoc[] = [];
  let section = '';
  let comment: string[] = [];
  for (const line of text.split('\n')) {
    const header = /^# -{2,}\s*(.+?)\s*-*$/.exec(line);
    if (header) {
      section = header[1];
      comment = [];
      continue;
    }
    if (line.startsWith('#')) {
      comment.push(line.replace(/^#\s?/, ''));
      continue;
    }
    const v = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (v) docs.push({ section, name: v[1], default: v[2], description: comment.join(' ').trim() });
    comment = [];
  }
  return docs;
}

export function renderConfigTable(docs: EnvDoc[]): string {
  const rows = ['| Variable | Default | Meaning |', '|---|---|---|'];
  let section = '';
  for (const d of docs) {
    if (d.section && d.section !== section) {
      section = d.section;
      rows.push(`| **${section}** | | |`);
    }
    rows.push(`| \`${d.name}\` | ${d.default ? `\`${d.default}\`` : '(empty)'} | ${d.description.replace(/\|/g, '\\|')} |`);
  }
  return rows.join('\n');
}

/** The README with its configuration table replaced by the one generated from `.env.example`. */
export function readmeWithConfigTable(readme: string, envExample: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}`);
  return `${readme.slice(0, start + START.length)}\n${renderConfigTable(parseEnvExample(envExample))}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const readmePath = join(ROOT, 'README.md');
  const next = readmeWithConfigTable(readFileSync(readmePath, 'utf8'), readFileSync(join(ROOT, '.env.example'), 'utf8'));
  writeFileSync(readmePath, next);
  process.stdout.write('README.md configuration table regenerated from .env.example\n');
}
