/** One help-center file after parsing, before chunking. */
export interface KbDocument {
  /** Path relative to the knowledge-base folder, with forward slashes (also the document's id). */
  source: string;
  title: string;
  url?: string;
  /** Canonical URL patterns of the product pages this document is about (`/projects/:id/edit`, `/settings/*`). */
  pages: string[];
  /** Sections in reading order; `level` 0 is text before the first heading. */
  sections: KbSection[];
}

export interface KbSection {
  /** Headings from the outermost to this section's own (the document title is not repeated). */
  headingPath: string[];
  /** Paragraphs of plain-ish text (Markdown inline syntax kept), in order. */
  paragraphs: string[];
}

/** The unit that is indexed, embedded and returned. */
export interface KbChunk {
  /** Stable across reindexes while the file and heading stay the same: `<source>#<heading-slug>[~n]`. */
  id: string;
  source: string;
  docTitle: string;
  headingPath: string[];
  url?: string;
  pages: string[];
  text: string;
  /** SHA-256 of what is embedded (title, headings and text), so only changed chunks are re-embedded. */
  contentHash: string;
}

/** A file that was not indexed, and why. */
export interface KbSkippedFile {
  file: string;
  reason: string;
}

/** Where the user is in the product, as the activity pipeline reports it. */
export interface KbPage {
  canonicalUrl: string;
  title?: string;
}

export interface KbQuery {
  message: string;
  page?: KbPage;
  lastActionLabel?: string;
}

export interface KbSearchOptions {
  /** Hits to return (default: KbOptions.topK). */
  topK?: number;
  /** Total characters of hit text (default: KbOptions.maxChars). */
  maxChars?: number;
}

export interface KbHit {
  chunkId: string;
  /** The file the chunk came from, relative to the knowledge-base folder. */
  source: string;
  docTitle: string;
  headingPath: string[];
  url?: string;
  text: string;
  score: number;
  /** Whether the chunk's document lists the query's page. */
  matchedPage: boolean;
  /** 1-based rank in the lexical list, when the chunk was in it. */
  lexicalRank?: number;
  /** 1-based rank in the vector list, when the chunk was in it. */
  vectorRank?: number;
}

export interface KbReindexResult {
  documents: number;
  chunks: number;
  skipped: KbSkippedFile[];
  durationMs: number;
  /** Chunks sent to the embeddings endpoint in this run (0 when unchanged or embeddings are off). */
  embedded: number;
  /** `ok`, `off`, or `failed` (the lexical index was still swapped in; vectors are retried next run). */
  embeddings: 'ok' | 'off' | 'failed';
}

export interface KbStatus {
  enabled: boolean;
  dir?: string;
  documents: number;
  chunks: number;
  skipped: KbSkippedFile[];
  lastIndexedAt?: string;
  lastError?: string;
  indexing: boolean;
  embeddings: { provider: 'none' | 'openai'; model?: string; breaker?: 'closed' | 'half_open' | 'open'; lastError?: string };
  store: { driver: 'none' | 'memory' | 'postgres'; reachable?: boolean; vectors?: number; error?: string };
}
