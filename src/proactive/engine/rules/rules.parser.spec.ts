import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RULES_DOCUMENT } from './default-rules.document';
import { defaultRules } from './default-rules';
import { loadRulesFile, parseRulesText, RulesFileError } from './rules.loader';
import { parseRulesDocument } from './rules.parser';

const rule = (over: Record<string, unknown> = {}) => ({
  id: 'bulk-edit-offer',
  criteria: { all: [{ url_matches: '/projects/**' }, { repeated_action: { count: 3 } }] },
  message: 'Editing projects one by one?',
  ...over,
});

const errorsOf = (doc: unknown): string[] => {
  const r = parseRulesDocument(doc, 'test');
  if (r.ok) throw new Error('expected errors');
  return r.errors;
};

describe('rules document', () => {
  it('names the rule and the field in every error', () => {
    expect(errorsOf({ rules: [rule({ criteria: { all: [{ url_matches: '/projects/**' }, { repeated_action: { count: 1 } }] } })] })).toEqual([
      'rule "bulk-edit-offer": criteria.all[1].repeated_action.count: must be an integer >= 2',
    ]);
  });

  it('reports every problem at once, by index when the id is unusable', () => {
    const errors = errorsOf({
      rules: [
        rule({ id: 'ok-rule', cooldown_seconds: -5, quick_replies: ['a', 'b', 'c', 'd', 'e'] }),
        rule({ id: 'bad id!' }),
        { criteria: { page_dwell: {} }, message: 'x' },
        rule({ id: 'typo', cooldown_second: 10 }),
      ],
    });
    expect(errors).toEqual([
      'rule "ok-rule": quick_replies: must have at most 4 entries',
      'rule "ok-rule": cooldown_seconds: must be an integer >= 0',
      'rules[1]: id: must be 1-64 letters, digits, "-", "_" or "." starting with a letter or digit',
      'rules[2]: id: required: a name such as "bulk-edit-offer"',
      'rule "typo": cooldown_second: unknown field',
    ]);
  });

  it('checks messages, placeholders, quick replies, llm intent and criteria presence', () => {
    expect(errorsOf({ rules: [rule({ message: 'Hi {first_name}' })] })).toEqual([expect.stringMatching(/^rule "bulk-edit-offer": message: unknown placeholder \{first_name\}/)]);
    expect(errorsOf({ rules: [rule({ message: undefined })] })).toEqual([
      'rule "bulk-edit-offer": message: required (only rules with a section_playbook trigger may leave it out)',
    ]);
    expect(errorsOf({ rules: [rule({ quick_replies: ['Show me', 'show me '] })] })).toEqual(['rule "bulk-edit-offer": quick_replies[1]: duplicate label "show me"']);
    expect(errorsOf({ rules: [rule({ quick_replies: ['x'.repeat(41)] })] })).toEqual(['rule "bulk-edit-offer": quick_replies[0]: must be at most 40 characters']);
    expect(errorsOf({ rules: [rule({ mode: 'llm' })] })).toEqual([
      'rule "bulk-edit-offer": intent: required when mode is "llm" (the model writes the nudge from it)',
    ]);
    expect(errorsOf({ rules: [rule({ mode: 'gpt' })] })).toEqual(['rule "bulk-edit-offer": mode: must be "template" or "llm"']);
    expect(errorsOf({ rules: [rule({ criteria: undefined })] })).toEqual(['rule "bulk-edit-offer": criteria: required']);
    expect(errorsOf({ rules: [rule({ criteria: { title_matches: '(.*a)+' } })] })).toEqual([
      expect.stringMatching(/^rule "bulk-edit-offer": criteria\.title_matches: nested quantifiers/),
    ]);
  });

  it('refuses duplicate ids, unknown top-level keys, bad settings and empty files', () => {
    expect(errorsOf({ rules: [rule(), rule()] })).toEqual(['rule "bulk-edit-offer": id: duplicate (also used by rules[0])']);
    expect(errorsOf({ rules: [rule()], rulez: [] })).toEqual(['rulez: unknown field']);
    expect(errorsOf({ rules: [rule()], settings: { min_interval_seconds: 'often', modee: 'x' } })).toEqual([
      'settings.min_interval_seconds: must be an integer >= 0',
      'settings.modee: unknown field',
    ]);
    expect(errorsOf({})).toEqual(['rules: must list at least one rule (or set `extends: defaults`)']);
    expect(errorsOf({ version: 2, rules: [rule()] })).toEqual(['version: must be 1']);
  });

  it('compiles rules: priority order (file order on ties), defaults filled in, disabled rules left out', () => {
    const r = parseRulesDocument(
      {
        settings: { mode: 'shadow', min_interval_seconds: 120 },
        rules: [
          rule({ id: 'low' }),
          rule({ id: 'high', priority: 10, quick_replies: ['Show me', { label: 'Later please', decline: true }, 'No thanks'] }),
          rule({ id: 'low-too' }),
          rule({ id: 'off', priority: 100, enabled: false }),
        ],
      },
      'test',
    );
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.ruleSet.rules.map((x) => x.id)).toEqual(['high', 'low', 'low-too']);
    expect(r.ruleSet.settings).toMatchObject({ mode: 'shadow', minIntervalSeconds: 120 });
    expect(r.ruleSet.settings.maxPerUserPerDay).toBeUndefined();
    const [high, low] = r.ruleSet.rules;
    expect(high.quickReplies).toEqual([
      { label: 'Show me', decline: false },
      { label: 'Later please', decline: true },
      { label: 'No thanks', decline: true },
    ]);
    expect(low).toMatchObject({ priority: 0, cooldownSeconds: 900, mode: 'template', judge: false, triggers: ['repeated_action'], horizonSeconds: 300 });
  });

  it('extends the defaults: file rules add to them, and replace one with the same id', () => {
    const r = parseRulesDocument({ extends: 'defaults', rules: [rule({ id: 'page-dwell', priority: 5 }), rule({ id: 'mine' })] }, 'test');
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const ids = r.ruleSet.rules.map((x) => x.id);
    expect(ids).toContain('bulk-edit-offer');
    expect(ids.filter((id) => id === 'page-dwell')).toHaveLength(1);
    expect(r.ruleSet.rules.find((x) => x.id === 'page-dwell')!.priority).toBe(5);
    expect(ids[ids.length - 1]).toBe('mine');
  });
});

describe('default rules', () => {
  it('run every built-in that needs no product knowledge, bulk-edit offer first', () => {
    const rules = defaultRules().rules;
    expect(rules.map((r) => r.id)).toEqual(['bulk-edit-offer', 'rage-click', 'error-page', 'repeated-action', 'ping-pong', 'page-dwell']);
    expect(new Set(rules.flatMap((r) => r.triggers))).toEqual(new Set(['repeated_action', 'rage_click', 'error_page', 'ping_pong', 'page_dwell']));
    const bulk = rules[0];
    expect(bulk.quickReplies).toEqual([
      { label: 'Show me', decline: false },
      { label: 'No thanks', decline: true },
    ]);
    expect(bulk.message?.source).toContain('More → Bulk edit');
    expect(defaultRules()).toBe(defaultRules());
    expect(DEFAULT_RULES_DOCUMENT.rules).toHaveLength(6);
  });
});

describe('rules files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'proactive-rules-'));

  it('loads YAML and JSON', async () => {
    const yml = join(dir, 'rules.yml');
    writeFileSync(yml, 'rules:\n  - id: dwell\n    criteria:\n      page_dwell:\n    message: "Still on {page}?"\n');
    expect((await loadRulesFile(yml)).rules.map((r) => r.id)).toEqual(['dwell']);
    const json = join(dir, 'rules.json');
    writeFileSync(json, JSON.stringify({ rules: [rule()] }));
    expect((await loadRulesFile(json)).source).toBe(json);
  });

  it('the shipped example loads', async () => {
    const r = await loadRulesFile(join(__dirname, '../../../../examples/proactive/rules.yml'));
    expect(r.rules.length).toBeGreaterThanOrEqual(6);
  });

  it('reports unreadable files, syntax errors with their line, and validation errors', async () => {
    await expect(loadRulesFile(join(dir, 'missing.yml'))).rejects.toThrow(/cannot read the file \(ENOENT\)/);
    expect(() => parseRulesText('rules:\n  - id: x\n   bad: [', 'r.yml')).toThrow(/not valid YAML at line \d+/);
    expect(() => parseRulesText('{"rules": [', 'r.json')).toThrow(/not valid JSON/);
    try {
      parseRulesText('rules:\n  - id: x\n    criteria: { page_dwell: { min_seconds: 0 } }\n    message: hi\n', 'r.yml');
      throw new Error('expected a RulesFileError');
    } catch (e) {
      expect(e).toBeInstanceOf(RulesFileError);
      expect((e as RulesFileError).errors).toEqual(['rule "x": criteria.page_dwell.min_seconds: must be an integer >= 1']);
      expect((e as Error).message).toBe('invalid rules file r.yml:\n  - rule "x": criteria.page_dwell.min_seconds: must be an integer >= 1');
    }
  });
});
