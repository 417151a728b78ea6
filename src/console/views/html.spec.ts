import { html, escapeHtml } from './html';

describe('console html template', () => {
  it('escapes every interpolated value, in text and attributes', () => {
    const hostile = `"><script>alert('x')</script>&`;
    const out = html`<a title="${hostile}">${hostile}</a>`.value;
    expect(out).not.toContain('<script>');
    expect(out).toBe(`<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</a>`);
  });

  it('nests templates and lists without escaping twice, and drops empty values', () => {
    const items = ['<b>', 'a&b'].map((s) => html`<li>${s}</li>`);
    expect(html`<ul>${items}${null}${undefined}${false}</ul>`.value).toBe('<ul><li>&lt;b&gt;</li><li>a&amp;b</li></ul>');
    expect(escapeHtml('`')).toBe('&#96;');
  });
});
