import { z } from 'zod';
import { parseWith } from '../issues';
import { pageKey } from '../text/action-text';
import { MAX_QUICK_REPLIES, MAX_QUICK_REPLY_LENGTH } from '../rules/quick-replies';
import { parseTemplate, type MessageTemplate } from '../text/message-template';
import type { TriggerDefinition } from './trigger.types';
import { lastN } from './trigger.types';
import { DAY_SECONDS, intParam } from './trigger-params';

const labels = z
  .array(z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(MAX_QUICK_REPLY_LENGTH, { error: `must be at most ${MAX_QUICK_REPLY_LENGTH} characters` }), {
    error: 'must be a list of labels',
  })
  .max(MAX_QUICK_REPLIES, { error: `must have at most ${MAX_QUICK_REPLIES} labels` });

const entry = z.union(
  [
    z.string(),
    z.strictObject({
      body: z.string().optional(),
      proactive_body: z.string().optional(),
      reply_option_labels: labels.optional(),
      quick_reply_labels: labels.optional(),
    }),
  ],
  { error: 'must be a message or { body, reply_option_labels }' },
);

/** Same keys as the reference's `section_url_rules` / `section_url_fallback_id` / `section_playbook` config. */
const schema = z.strictObject({
  section_url_rules: z
    .array(
      z.strictObject({
        prefix: z.string({ error: 'must be a path prefix such as "/billing"' }).min(1, { error: 'must not be empty' }),
        section_id: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
      }),
      { error: 'must be a list of { prefix, section_id }' },
    )
    .min(1, { error: 'must list at least one { prefix, section_id }' })
    .max(200),
  section_url_fallback_id: z.string({ error: 'must be a string' }).default('other'),
  section_playbook: z.record(z.string(), entry, { error: 'must map section ids to messages' }),
  min_seconds_in_section: intParam(0, DAY_SECONDS, 20),
});

interface PlaybookEntry {
  message: MessageTemplate;
  quickReplies: string[];
}

export interface SectionPlaybookParams {
  /** Longest prefix first, so "/projects/settings" wins over "/projects" whatever the file order. */
  rules: { prefix: string; section: string }[];
  fallback: string;
  playbook: Map<string, PlaybookEntry>;
  minMs: number;
}

/**
 * URL prefixes name sections of the product; when the user has spent
 * `min_seconds_in_section` in a section that has a playbook entry, that
 * entry's message (and quick replies) is offered. Prefixes match whole path
 * segments ("/billing" matches "/billing/invoices", not "/billingfoo").
 * Unlike the reference, the section is always the one the user is in now.
 */
export const sectionPlaybookTrigger: TriggerDefinition<SectionPlaybookParams> = {
  kind: 'section_playbook',
  suppliesMessage: true,
  compile(raw, issue) {
    const p = parseWith(schema, raw, issue);
    if (!p) return null;
    let ok = true;
    const playbook = new Map<string, PlaybookEntry>();
    for (const [section, value] of Object.entries(p.section_playbook)) {
      const body = typeof value === 'string' ? value : (value.body ?? value.proactive_body);
      if (body === undefined) {
        issue(`section_playbook.${section}.body`, 'required');
        ok = false;
        continue;
      }
      const t = parseTemplate(body);
      if (!t.ok) {
        issue(`section_playbook.${section}${typeof value === 'string' ? '' : '.body'}`, t.message);
        ok = false;
        continue;
      }
      const quickReplies = typeof value === 'string' ? [] : (value.reply_option_labels ?? value.quick_reply_labels ?? []);
      playbook.set(section, { message: t.template, quickReplies });
    }
    if (playbook.size === 0 && ok) {
      issue('section_playbook', 'must have at least one entry');
      ok = false;
    }
    if (!ok) return null;
    const rules = p.section_url_rules
      .map((r) => ({ prefix: pageKey(r.prefix), section: r.section_id }))
      .sort((a, b) => b.prefix.length - a.prefix.length);
    return { rules, fallback: p.section_url_fallback_id, playbook, minMs: p.min_seconds_in_section * 1000 };
  },
  evaluate(c, facts) {
    const current = facts.current;
    if (!current || !current.page) return null;
    const sectionOf = memoSection(c);
    const section = sectionOf(current.page);
    const entry = c.playbook.get(section);
    if (!entry) return null;
    const all = facts.actions;
    let start = all.length - 1;
    while (start > 0 && all[start - 1].page && sectionOf(all[start - 1].page) === section) start--;
    if (facts.now - all[start].at < c.minMs) return null;
    return {
      trigger: 'section_playbook',
      page: current.page,
      scope: `section:${section}`,
      section,
      label: section,
      evidence: lastN(all.slice(start).map((f) => f.action)),
      message: entry.message,
      quickReplies: entry.quickReplies,
    };
  },
  // Time in a section only grows, so a session stays a candidate while its actions are kept.
  horizonSeconds: () => DAY_SECONDS,
};

export function resolveSection(c: SectionPlaybookParams, page: string): string {
  for (const r of c.rules) {
    if (r.prefix === '/' || page === r.prefix || page.startsWith(`${r.prefix}/`)) return r.section;
  }
  return c.fallback;
}

function memoSection(c: SectionPlaybookParams): (page: string) => string {
  const seen = new Map<string, string>();
  return (page) => {
    let s = seen.get(page);
    if (s === undefined) seen.set(page, (s = resolveSection(c, page)));
    return s;
  };
}
