import { Parser } from 'htmlparser2';
import { checkPages, checkUrl, InvalidMetadataError } from './front-matter';
import type { ParsedDoc } from './markdown.loader';
import { sectionBuilder } from './section-builder';

/** Elements whose content is never text for a reader. */
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'object', 'head', 'nav', 'footer']);
/** Elements that end a paragraph. */
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'main', 'aside', 'header', 'ul', 'ol', 'li', 'table', 'tr', 'blockquote', 'pre', 'hr', 'br',
  'dl', 'dt', 'dd', 'figure', 'figcaption', 'h4', 'h5', 'h6', 'form', 'fieldset', 'details', 'summary',
]);
const SECTION_HEADING = /^h([1-3])$/;

/**
 * HTML help pages: title from <title> or the first <h1>; sections at h1–h3; tags
 * stripped, entities decoded, scripts/styles/navigation dropped. Metadata comes from
 * `<meta name="kb:url" content="…">`, `<meta name="kb:pages" content="/a, /b">` and
 * optionally `<meta name="kb:title">`.
 */
export function parseHtml(html: string): ParsedDoc {
  const builder = sectionBuilder();
  let titleTag = '';
  let metaTitle: string | undefined;
  let url: string | undefined;
  let pages: string[] = [];
  let firstH1: string | undefined;
  let metaError: InvalidMetadataError | undefined;

  let skipDepth = 0;
  let inTitle = false;
  let heading: { level: number; text: string } | undefined;
  let text = '';

  const flush = () => {
    const p = text.replace(/[ \t\f\v\r\n\u00a0]+/g, ' ').trim();
    if (p) builder.paragraph(p);
    text = '';
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === 'meta') {
          const key = (attribs.name ?? '').toLowerCase();
          try {
            if (key === 'kb:url') url = checkUrl(attribs.content, 'kb:url');
            else if (key === 'kb:pages') pages = checkPages(attribs.content ?? '', 'kb:pages');
            else if (key === 'kb:title') metaTitle = attribs.content?.trim() || undefined;
          } catch (err) {
            metaError ??= err as InvalidMetadataError;
          }
          return;
        }
        if (name === 'title') {
          inTitle = true;
          return;
        }
        if (SKIPPED.has(name)) {
          skipDepth++;
          return;
        }
        if (skipDepth) return;
        const h = SECTION_HEADING.exec(name);
        if (h) {
          flush();
          heading = { level: Number(h[1]), text: '' };
          return;
        }
        if (BLOCK.has(name)) flush();
        if (name === 'li') text += '- ';
        if (name === 'td' || name === 'th') text += ' ';
      },
      ontext(chunk) {
        if (inTitle) titleTag += chunk;
        else if (skipDepth) return;
        else if (heading) heading.text += chunk;
        else text += chunk;
      },
      onclosetag(name) {
        if (name === 'title') {
          inTitle = false;
          return;
        }
        if (SKIPPED.has(name)) {
          skipDepth = Math.max(0, skipDepth - 1);
          return;
        }
        if (skipDepth) return;
        if (heading && SECTION_HEADING.test(name)) {
          const h = heading.text.replace(/\s+/g, ' ').trim();
          const level = heading.level;
          heading = undefined;
          if (!h) return;
          if (level === 1 && firstH1 === undefined) {
            firstH1 = h;
            // The first h1 names the page when there is no <title>; either way it is not a section of its own.
            return;
          }
          builder.heading(level, h);
          return;
        }
        if (BLOCK.has(name)) flush();
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  flush();
  if (metaError) throw new InvalidMetadataError(`invalid metadata: ${metaError.message}`);
  const title = metaTitle ?? (titleTag.replace(/\s+/g, ' ').trim() || firstH1);
  return { meta: { title, url, pages }, title, sections: builder.sections() };
}
