import { Logger } from '@nestjs/common';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import type { KbDocument, KbSkippedFile } from '../kb.types';
import { InvalidMetadataError } from './front-matter';
import { parseHtml } from './html.loader';
import { parseMarkdown, type ParsedDoc } from './markdown.loader';
import { parseText } from './text.loader';

export interface CorpusLimits {
  maxFileBytes: number;
  maxFiles: number;
}

export interface Corpus {
  documents: KbDocument[];
  skipped: KbSkippedFile[];
}

const PARSERS: Record<string, (text: string) => ParsedDoc> = {
  '.md': parseMarkdown,
  '.markdown': parseMarkdown,
  '.html': parseHtml,
  '.htm': parseHtml,
  '.txt': parseText,
};

/** A file is skipped, not indexed, for this reason. */
class SkipFile extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text of a file, or a reason not to index it: too large, binary, not UTF-8, unreadable. */
async function readTextFile(path: string, maxBytes: number): Promise<string> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new SkipFile('not a regular file');
    size = info.size;
  } catch (err) {
    if (err instanceof SkipFile) throw err;
    throw new SkipFile(`unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (size > maxBytes) throw new SkipFile(`larger than ${maxBytes} bytes (${size} bytes)`);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new SkipFile(`unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  // Checked again after reading: the file may have grown since stat.
  if (buf.length > maxBytes) throw new SkipFile(`larger than ${maxBytes} bytes (${buf.length} bytes)`);
  if (buf.subarray(0, 8_192).includes(0)) throw new SkipFile('binary content');
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    throw new SkipFile('not valid UTF-8 text');
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function titleFromFileName(source: string): string {
  const name = basename(source, extname(source)).replace(/[-_]+/g, ' ').trim();
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Parses one file into a document; throws SkipFile with the reason when it cannot be indexed. */
export async function loadDocument(path: string, source: string, limits: CorpusLimits): Promise<KbDocument> {
  const parse = PARSERS[extname(path).toLowerCase()];
  if (!parse) throw new SkipFile(`unsupported file type (expected ${Object.keys(PARSERS).join(', ')})`);
  const text = await readTextFile(path, limits.maxFileBytes);
  if (text.trim() === '') throw new SkipFile('empty file');
  let parsed: ParsedDoc;
  try {
    parsed = parse(text);
  } catch (err) {
    if (err instanceof InvalidMetadataError) throw new SkipFile(err.message);
    throw new SkipFile(`could not be parsed (${(err as Error).message})`);
  }
  if (parsed.sections.length === 0) throw new SkipFile('no text to index');
  return {
    source,
    title: parsed.title ?? titleFromFileName(source),
    url: parsed.meta.url,
    pages: parsed.meta.pages,
    sections: parsed.sections,
  };
}

/** Every file under `dir` in a stable order; hidden entries are ignored, symlinked folders not followed. */
async function listFiles(dir: string, skipped: KbSkippedFile[], root = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(full, skipped, root)));
    else if (e.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined);
      if (target?.isDirectory()) skipped.push({ file: toSource(root, full), reason: 'symlinked folder not followed' });
      else out.push(full);
    } else if (e.isFile()) out.push(full);
  }
  return out;
}

function toSource(root: string, full: string): string {
  return relative(root, full).split(sep).join('/');
}

/**
 * Reads every help-center file under `dir`. A file that cannot be indexed is skipped
 * with a log line naming it and the reason; the rest is returned.
 */
export async function loadCorpus(dir: string, limits: CorpusLimits, logger = new Logger('KbCorpusLoader')): Promise<Corpus> {
  const info = await lstat(dir).catch(() => undefined);
  if (!info || !(await stat(dir)).isDirectory()) throw new Error(`knowledge-base folder ${dir} does not exist or is not a folder`);
  const skipped: KbSkippedFile[] = [];
  const files = await listFiles(dir, skipped);
  const documents: KbDocument[] = [];
  if (files.length > limits.maxFiles) {
    const extra = files.length - limits.maxFiles;
    skipped.push({ file: toSource(dir, files[limits.maxFiles]), reason: `the folder has more than ${limits.maxFiles} files: this one and ${extra - 1} after it were not read` });
  }
  for (const full of files.slice(0, limits.maxFiles)) {
    const source = toSource(dir, full);
    try {
      documents.push(await loadDocument(full, source, limits));
    } catch (err) {
      if (!(err instanceof SkipFile)) throw err;
      skipped.push({ file: source, reason: err.message });
    }
  }
  for (const s of skipped) logger.warn({ file: s.file, reason: s.reason }, `knowledge-base file skipped: ${s.file} (${s.reason})`);
  return { documents, skipped };
}
