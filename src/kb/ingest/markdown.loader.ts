import type { KbSection } from '../kb.types';
import { splitFrontMatter, type DocMeta } from './front-matter';
import { sectionBuilder } from './section-builder';

export interface ParsedDoc {
  meta: DocMeta;
  /** Title from the metadata, else the first top-level heading, else undefined (the loader falls back to the file name). */
  title?: string;
  sections: KbSection[];
}

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$/;
const FENCE = /^[ \t]{0,3}(```|~~~)/;

/** Inline clean-up that keeps text readable for a model and a person: images become their alt text, comments go. */
function cleanLine(line: string): string {
  return line.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1');
}

/**
 * Markdown with optional YAML front matter. Sections start at ATX headings of level
 * 1–3 (deeper headings stay inside their section as a line of text); paragraphs are
 * separated by blank lines; fenced code blocks are kept whole.
 */
export function parseMarkdown(text: string): ParsedDoc {
  const { meta, body } = splitFrontMatter(text);
  const lines = body.replace(/<!--[\s\S]*?-->/g, '').split(/\r?\n/);
  const builder = sectionBuilder();
  let title = meta.title;
  let fence: string | undefined;
  let paragraph: string[] = [];
  const flush = () => {
    const p = paragraph.join('\n').trim();
    if (p) builder.paragraph(p);
    paragraph = [];
  };

  for (const line of lines) {
    const fenceMatch = FENCE.exec(line);
    if (fence) {
      paragraph.push(line);
      if (fenceMatch && fenceMatch[1] === fence) {
        fence = undefined;
        flush();
      }
      continue;
    }
    if (fenceMatch) {
      flush();
      fence = fenceMatch[1];
      paragraph.push(line);
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      flush();
      const level = h[1].length;
      const heading = h[2].trim();
      if (level === 1 && title === undefined) {
        // The first H1 names the document; it is not repeated as a heading of its own.
        title = heading;
        continue;
      }
      if (level === 1 && heading === title) continue;
      if (level <= 3) builder.heading(level, heading);
      else paragraph.push(heading);
      continue;
    }
    if (line.trim() === '') flush();
    else paragraph.push(cleanLine(line));
  }
  flush();
  return { meta, title, sections: builder.sections() };
}
