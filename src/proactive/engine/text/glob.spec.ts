import { compileGlob } from './glob';
import { compileUserRegex } from './safe-regex';

const glob = (g: string) => {
  const r = compileGlob(g);
  if (!r.ok) throw new Error(r.message);
  return (page: string) => r.regex.test(page);
};

describe('compileGlob', () => {
  it('keeps * inside one segment and lets ** cross segments', () => {
    const one = glob('/projects/*/edit');
    expect(one('/projects/:id/edit')).toBe(true);
    expect(one('/projects/a/b/edit')).toBe(false);
    const any = glob('/projects/**');
    expect(any('/projects')).toBe(true);
    expect(any('/projects/:id/edit')).toBe(true);
    expect(any('/projectsx')).toBe(false);
    const leading = glob('**/404');
    expect(leading('/404')).toBe(true);
    expect(leading('/docs/404')).toBe(true);
    expect(leading('/x404')).toBe(false);
  });

  it('treats regex characters and :id literally', () => {
    const m = glob('/a.b/(x)/:id');
    expect(m('/a.b/(x)/:id')).toBe(true);
    expect(m('/aXb/(x)/:id')).toBe(false);
  });

  it('refuses globs that can never match a page path', () => {
    expect(compileGlob('projects/**')).toEqual({ ok: false, message: expect.stringContaining('must start with "/"') });
    expect(compileGlob('')).toEqual({ ok: false, message: 'must not be empty' });
    expect(compileGlob(`/${'a'.repeat(300)}`).ok).toBe(false);
  });
});

describe('compileUserRegex', () => {
  it('compiles case-insensitive patterns', () => {
    const r = compileUserRegex('^(edit|save)');
    expect(r.ok && r.regex.test('Save changes')).toBe(true);
  });

  it.each(['(a+)+$', '(\\w*x)*', '(a|b{1,})+'])('refuses the backtracking-prone %s', (p) => {
    expect(compileUserRegex(p)).toEqual({ ok: false, message: expect.stringContaining('nested quantifiers') });
  });

  it('refuses long, broken and backreferencing patterns with a reason', () => {
    expect(compileUserRegex('a'.repeat(201))).toEqual({ ok: false, message: 'must be at most 200 characters' });
    expect(compileUserRegex('(')).toEqual({ ok: false, message: expect.stringContaining('is not a valid regular expression') });
    expect(compileUserRegex('(a)\\1')).toEqual({ ok: false, message: 'backreferences are not allowed' });
  });
});
