// Part of `npm run build`: files tsc does not emit (src/**/*.asset.js: the browser snippet, the demo's
// styles; src/**/assets/*: the operator console's script and styles) are copied to the same place under
// dist/, where the code that serves them looks.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.asset\.(js|css)$/.test(name) || (basename(dir) === 'assets' && /\.(js|css)$/.test(name))) cpSync(path, join(dist, relative(src, path)));
  }
}
walk(src);
