import { Logger } from '@nestjs/common';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from './corpus-loader';
import { splitFrontMatter } from './front-matter';
import { parseHtml } from './html.loader';
import { parseMarkdown } from './markdown.loader';
import { parseText } from './text.loader';

describe('Markdown loader', () => {
  it('reads front matter, uses the first H1 as title only when none is given, and splits sections at h1–h3 with heading paths', () => {
    const doc = parseMarkdown(
      [
        '---',
        'title: Bulk edit',
        'url: https://help.example/bulk',
        'pages: [/projects, /projects/:id/edit]',
        'tags: [ignored]',
        '---',
        '# Bulk edit',
        'Intro text.',
        '',
        '## How to',
        'Step one.',
        '',
        '### Tags',
        'Add or replace.',
        '#### Deep heading stays inside',
        'More.',
        '## Limits',
        '```',
        '# not a heading',
        '```',
      ].join('\n'),
    );
    expect(doc.meta).toEqual({ title: 'Bulk edit', url: 'https://help.example/bulk', pages: ['/projects', '/projects/:id/edit'] });
    expect(doc.title).toBe('Bulk edit');
    expect(doc.sections).toEqual([
      { headingPath: [], paragraphs: ['Intro text.'] },
      { headingPath: ['How to'], paragraphs: ['Step one.'] },
      { headingPath: ['How to', 'Tags'], paragraphs: ['Add or replace.', 'Deep heading stays inside\nMore.'] },
      { headingPath: ['Limits'], paragraphs: ['```\n# not a heading\n```'] },
    ]);
  });

  it('takes the title from the first H1 without front matter, drops comments and keeps image alt text', () => {
    const doc = parseMarkdown('# Invoices\n<!-- internal note -->\nSee ![the invoice list](img.png) here.\n');
    expect(doc.title).toBe('Invoices');
    expect(doc.meta.pages).toEqual([]);
    expect(doc.sections[0].paragraphs).toEqual(['See the invoice list here.']);
  });

  it.each([
    ['---\ntitle: [unclosed\n---\nx', /^invalid front matter: /],
    ['---\n- a\n- b\n---\nx', /expected key: value pairs/],
    ['---\npages: /just-a-string-is-fine\nurl: javascript:alert(1)\n---\nx', /url must be an http\(s\) URL/],
    ['---\npages: [projects]\n---\nx', /pages entry "projects" must be a path starting with \//],
    ['---\npages: ["/a/*/b"]\n---\nx', /\* may only be the last segment/],
    ['---\ntitle: x\nno closing fence', /no closing ---/],
  ])('refuses invalid front matter %#', (text, reason) => {
    expect(() => splitFrontMatter(text)).toThrow(reason);
  });

  it('accepts pages given as one comma-separated string and site-relative urls', () => {
    expect(splitFrontMatter('---\npages: /a, /b/:id\nurl: /help/a\n---\n').meta).toEqual({ title: undefined, url: '/help/a', pages: ['/a', '/b/:id'] });
  });
});

describe('HTML loader', () => {
  it('takes title, kb:url and kb:pages from the head, splits at h1–h3 and strips tags, scripts, styles and navigation', () => {
    const doc = parseHtml(`<!doctype html><html><head><title>Attach files</title>
      <meta name="kb:url" content="https://help.example/files"><meta name="kb:pages" content="/projects/:id, /projects/:id/files">
      <style>p{color:red}</style></head><body><nav>Home › Projects</nav>
      <h1>Attach files</h1><p>Keep <strong>briefs</strong> &amp; designs.</p>
      <h2>Upload</h2><ol><li>Open <b>Files</b>.</li><li>Click Upload.</li></ol>
      <h3>Size</h3><p>Up to 250&nbsp;MB.</p><script>track()</script><footer>©</footer></body></html>`);
    expect(doc.title).toBe('Attach files');
    expect(doc.meta).toEqual({ title: 'Attach files', url: 'https://help.example/files', pages: ['/projects/:id', '/projects/:id/files'] });
    expect(doc.sections).toEqual([
      { headingPath: [], paragraphs: ['Keep briefs & designs.'] },
      { headingPath: ['Upload'], paragraphs: ['- Open Files.', '- Click Upload.'] },
      { headingPath: ['Upload', 'Size'], paragraphs: ['Up to 250 MB.'] },
    ]);
  });

  it('falls back to the first h1 for the title and rejects bad metadata', () => {
    expect(parseHtml('<h1>Only heading</h1><p>Body</p>').title).toBe('Only heading');
    expect(() => parseHtml('<meta name="kb:pages" content="no-slash"><p>x</p>')).toThrow(/^invalid metadata: kb:pages entry "no-slash"/);
  });
});

describe('plain-text loader', () => {
  it('uses the first non-empty line as title and blank lines as paragraph breaks', () => {
    expect(parseText('\n\nKeyboard shortcuts\n\nPress ?.\nStill one paragraph.\n\nPress /.')).toEqual({
      meta: { pages: [] },
      title: 'Keyboard shortcuts',
      sections: [{ headingPath: [], paragraphs: ['Press ?.\nStill one paragraph.', 'Press /.'] }],
    });
  });
});

describe('loadCorpus', () => {
  let dir: string;
  /** Keeps the warnings instead of printing them. */
  class RecordingLogger extends Logger {
    readonly warnings: unknown[][] = [];
    override warn(...args: unknown[]): void {
      this.warnings.push(args);
    }
  }
  let logger: RecordingLogger;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kb-loader-'));
    logger = new RecordingLogger('test');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('indexes good files of each format, skips bad ones with a reason and a log line naming the file', async () => {
    await mkdir(join(dir, 'guides'));
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, '.git', 'HEAD.md'), '# hidden');
    await writeFile(join(dir, 'guides', 'a.md'), '---\ntitle: A\npages: [/a]\n---\nText of a.');
    await writeFile(join(dir, 'b.html'), '<title>B</title><p>Text of b.</p>');
    await writeFile(join(dir, 'c.txt'), 'C\n\nText of c.');
    await writeFile(join(dir, 'no-title_here.md'), 'Body without any heading.');
    await writeFile(join(dir, 'bad-yaml.md'), '---\ntitle: [\n---\nx');
    await writeFile(join(dir, 'empty.md'), '  \n\n');
    await writeFile(join(dir, 'only-front-matter.md'), '---\ntitle: Nothing else\n---\n');
    await writeFile(join(dir, 'big.md'), `# Big\n${'x'.repeat(2_000)}`);
    await writeFile(join(dir, 'binary.txt'), Buffer.from([0x48, 0x69, 0x00, 0x01]));
    await writeFile(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    await writeFile(join(dir, 'notes.docx'), 'x');
    await symlink(join(dir, 'missing-target.md'), join(dir, 'dangling.md'));

    const corpus = await loadCorpus(dir, { maxFileBytes: 1_000, maxFiles: 100 }, logger);

    expect(corpus.documents.map((d) => [d.source, d.title])).toEqual([
      ['b.html', 'B'],
      ['c.txt', 'C'],
      ['guides/a.md', 'A'],
      ['no-title_here.md', 'No title here'],
    ]);
    expect(corpus.documents.find((d) => d.source === 'guides/a.md')!.pages).toEqual(['/a']);
    const reasons = Object.fromEntries(corpus.skipped.map((s) => [s.file, s.reason]));
    expect(reasons).toEqual({
      'bad-yaml.md': expect.stringMatching(/^invalid front matter: /),
      'big.md': 'larger than 1000 bytes (2006 bytes)',
      'binary.txt': 'binary content',
      'dangling.md': 'unreadable (ENOENT)',
      'empty.md': 'empty file',
      'latin1.txt': 'not valid UTF-8 text',
      'notes.docx': expect.stringMatching(/^unsupported file type/),
      'only-front-matter.md': 'no text to index',
    });
    expect(logger.warnings).toContainEqual([{ file: 'big.md', reason: 'larger than 1000 bytes (2006 bytes)' }, expect.stringContaining('big.md')]);
    expect(logger.warnings).toHaveLength(corpus.skipped.length);
  });

  it('reads at most maxFiles files and says which were left out', async () => {
    for (const n of [1, 2, 3]) await writeFile(join(dir, `${n}.md`), `# Doc ${n}\ntext`);
    const corpus = await loadCorpus(dir, { maxFileBytes: 1_000, maxFiles: 2 }, logger);
    expect(corpus.documents).toHaveLength(2);
    expect(corpus.skipped).toEqual([{ file: '3.md', reason: expect.stringMatching(/more than 2 files/) }]);
  });

  it('fails when the folder does not exist', async () => {
    await expect(loadCorpus(join(dir, 'nope'), { maxFileBytes: 1_000, maxFiles: 10 }, logger)).rejects.toThrow(/does not exist/);
  });
});
