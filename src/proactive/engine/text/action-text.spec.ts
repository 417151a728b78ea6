import { displayLabel, humanisePath, labelKey, normaliseType, pageKey, pageNameFromTitle } from './action-text';

describe('action text', () => {
  it.each([
    ["Clicked 'Edit'", 'Edit'],
    ['Clicked "Save changes"', 'Save changes'],
    ['Clicked ‘Bulk edit’', 'Bulk edit'],
    ['Click Export CSV button', 'Export CSV'],
    ['Page Load: Dashboard', 'Dashboard'],
    ['Submitted the form', 'the form'],
  ])('reads the label of %j as %j', (title, label) => {
    expect(displayLabel(title)).toBe(label);
  });

  it('compares labels without case, spacing, edge punctuation or numbers', () => {
    expect(labelKey("Clicked 'Edit'")).toBe(labelKey('Clicked "  edit  "'));
    expect(labelKey("Clicked 'Page 2'")).toBe(labelKey("Clicked 'Page 3'"));
    expect(labelKey("Clicked 'Edit'")).not.toBe(labelKey("Clicked 'Edit project'"));
  });

  it('compares pages by path whether the connector sent a URL or a path', () => {
    expect(pageKey('https://app.acme.test/projects/:id/?tab=2#top')).toBe('/projects/:id');
    expect(pageKey('/projects/:id')).toBe('/projects/:id');
    expect(pageKey('projects')).toBe('/projects');
    expect(pageKey('https://app.acme.test')).toBe('/');
    expect(pageKey('')).toBe('');
  });

  it('names pages for messages', () => {
    expect(humanisePath('/settings/billing')).toBe('Billing');
    expect(humanisePath('/projects/:id')).toBe('Projects');
    expect(humanisePath('/team/members/12345')).toBe('Members');
    expect(humanisePath('/api-keys')).toBe('Api keys');
    expect(humanisePath('/')).toBe('Home');
    expect(pageNameFromTitle('Page Load: Edit project')).toBe('Edit project');
    expect(pageNameFromTitle('Page Load: ')).toBeUndefined();
  });

  it('normalises action types', () => {
    expect(normaliseType(' $RageClick ')).toBe('rageclick');
  });
});
