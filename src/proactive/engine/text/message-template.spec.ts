import { parseTemplate, renderTemplate, templatePlaceholders } from './message-template';

const render = (source: string, values: Record<string, string | undefined> = {}) => {
  const t = parseTemplate(source);
  if (!t.ok) throw new Error(t.message);
  return renderTemplate(t.template, values);
};

describe('message templates', () => {
  it('fills known placeholders', () => {
    expect(render('Hi {firstName}, stuck on {page}?', { firstName: 'Casey', page: 'Billing' })).toBe('Hi Casey, stuck on Billing?');
    const t = parseTemplate('{label} on {page} and {otherPage} in {section}');
    expect(t.ok && templatePlaceholders(t.template)).toEqual(['label', 'page', 'otherPage', 'section']);
  });

  it('refuses unknown placeholders and stray braces, naming the problem', () => {
    expect(parseTemplate('Hi {first_name}')).toEqual({ ok: false, message: expect.stringMatching(/^unknown placeholder \{first_name\} \(known: \{firstName\}/) });
    expect(parseTemplate('Hi {firstName')).toEqual({ ok: false, message: 'has a "{" that is never closed' });
    expect(parseTemplate('Hi firstName}')).toEqual({ ok: false, message: 'has a "}" without a matching "{"' });
    expect(parseTemplate('   ')).toEqual({ ok: false, message: 'must not be empty' });
    expect(parseTemplate('x'.repeat(301)).ok).toBe(false);
  });

  it.each([
    ['Hi {firstName}, editing projects?', 'Hi, editing projects?'],
    ['Hey {firstName}! Need a hand?', 'Hey! Need a hand?'],
    ['{firstName}, need a hand?', 'Need a hand?'],
    ['Hello, {firstName}!', 'Hello!'],
    ['Hi, {firstName}, quick tip?', 'Hi, quick tip?'],
    ['Thanks {firstName}.', 'Thanks.'],
    ['Hey {firstName} — quick tip', 'Hey — quick tip'],
  ])('renders %j without a first name as %j', (source, expected) => {
    expect(render(source)).toBe(expected);
    expect(render(source, { firstName: '   ' })).toBe(expected);
  });

  it('uses a fallback for other missing values, the template’s own when given', () => {
    expect(render('Stuck on {page}?')).toBe('Stuck on this page?');
    expect(render('Is “{label|the button}” not working?')).toBe('Is “the button” not working?');
    expect(render('Is “{label|the button}” not working?', { label: 'Export' })).toBe('Is “Export” not working?');
  });

  it('keeps values to one bounded line', () => {
    expect(render('Hi {firstName}!', { firstName: 'Ca\nsey' })).toBe('Hi Ca sey!');
    expect(render('{label}', { label: 'x'.repeat(100) })).toHaveLength(60);
  });
});
