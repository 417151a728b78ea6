import type { KbSection } from '../kb.types';

/**
 * Collects paragraphs under a heading stack: a heading of level n closes every open
 * heading of level >= n, so each section knows its full heading path.
 */
export function sectionBuilder() {
  const out: KbSection[] = [];
  const stack: { level: number; text: string }[] = [];
  let current: KbSection = { headingPath: [], paragraphs: [] };
  out.push(current);
  return {
    heading(level: number, text: string): void {
      while (stack.length && stack[stack.length - 1].level >= level) stack.pop();
      stack.push({ level, text: text.replace(/\s+/g, ' ').trim() });
      current = { headingPath: stack.map((s) => s.text), paragraphs: [] };
      out.push(current);
    },
    paragraph(text: string): void {
      current.paragraphs.push(text);
    },
    /** Sections with text, in reading order. */
    sections(): KbSection[] {
      return out.filter((s) => s.paragraphs.length > 0);
    },
  };
}
