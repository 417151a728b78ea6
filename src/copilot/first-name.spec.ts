import { firstNameFromEmail } from './first-name';

describe('firstNameFromEmail', () => {
  it.each([
    ['jane.doe@example.com', 'Jane'],
    ['JANE.DOE@example.com', 'Jane'],
    ['casey@acme.io', 'Casey'],
    ['jean_paul.martin@acme.fr', 'Jean'],
    ['marie-claire@acme.fr', 'Marie'],
    ['jane+billing@example.com', 'Jane'],
    ['zoë.lefèvre@exemple.fr', 'Zoë'],
    ['bob42@example.com', 'Bob'],
  ])('%s → %s', (email, name) => {
    expect(firstNameFromEmail(email)).toBe(name);
  });

  it.each([
    [undefined],
    [''],
    ['not-an-email'],
    ['@example.com'],
    ['support@example.com'],
    ['no-reply@example.com'],
    ['info.team@example.com'],
    ['j.doe@example.com'],
    ['12345@example.com'],
  ])('%s → undefined', (email) => {
    expect(firstNameFromEmail(email)).toBeUndefined();
  });
});
