/**
 * Mailbox names that belong to a role or a team, not a person; greeting someone
 * as "Support" or "Noreply" reads as a bug.
 */
const ROLE_MAILBOXES = new Set([
  'admin', 'administrator', 'billing', 'contact', 'dev', 'devops', 'engineering', 'finance', 'hello', 'help', 'hi',
  'info', 'it', 'jobs', 'mail', 'marketing', 'me', 'no-reply', 'noreply', 'office', 'ops', 'postmaster', 'root',
  'sales', 'security', 'service', 'support', 'team', 'test', 'user', 'webmaster',
]);

/**
 * A first name guessed from an email's local part: "jane.doe@…" → "Jane",
 * "marie-claire_dupont@…" → "Marie". Undefined when the address does not look
 * like a person's (role mailboxes, digits-only, single initials).
 */
export function firstNameFromEmail(email: string | undefined | null): string | undefined {
  if (!email) return undefined;
  const at = email.indexOf('@');
  if (at <= 0) return undefined;
  // "jane+billing@" is still Jane.
  const local = email.slice(0, at).split('+')[0].trim().toLowerCase();
  if (!local || ROLE_MAILBOXES.has(local)) return undefined;
  const first = local.split(/[._\-\s\d]+/u).find((p) => p.length > 0);
  if (!first || first.length < 2 || !/^\p{L}+$/u.test(first) || ROLE_MAILBOXES.has(first)) return undefined;
  return first.charAt(0).toLocaleUpperCase() + first.slice(1);
}
