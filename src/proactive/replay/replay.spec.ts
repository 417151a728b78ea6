import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from './replay.cli';
import { parseRecording, RecordingError } from './recording';

const root = join(__dirname, '../../..');
const example = (name: string) => join(root, 'examples/proactive', name);

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

const sentLines = (out: string) => out.split('\n').filter((l) => / sent /.test(l));

describe('replay', () => {
  it('is deterministic: the same recording gives the same timeline', async () => {
    const a = await run(example('stuck-user.jsonl'));
    const b = await run(example('stuck-user.jsonl'));
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(a.out.length).toBeGreaterThan(0);
  });

  it('stuck user, default rules: one bulk-edit offer before the third edit is saved, then one ping-pong nudge, then the "No thanks"', async () => {
    const { out, code } = await run(example('stuck-user.jsonl'));
    expect(code).toBe(0);
    const sent = sentLines(out);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/^\+01:09\.5 {2}ps_stuck_7f3a {2}bulk-edit-offer +sent +repeated_action on \/projects\/:id: "Editing projects one by one\? You can change several at once: select them on the Projects page, then More → Bulk edit\. Want me to show you\?" \[Show me \| No thanks\]$/);
    expect(sent[1]).toMatch(/^\+07:14\.5 {2}ps_stuck_7f3a {2}ping-pong +sent +ping_pong on \/settings: "Looking for something\? You’ve gone back and forth between Settings and Billing\. I can point you to it\."/);
    expect(out).toContain('(user wrote "No thanks": declined)');
    expect(out.trimEnd().split('\n').pop()).toMatch(/^2 sent, \d+ suppressed, 0 failed$/);

    // "Before you finish": the offer precedes the third "Save changes" in the recording.
    const { events } = parseRecording(readFileSync(example('stuck-user.jsonl'), 'utf8'));
    const start = events[0].at;
    const saves = events.flatMap((e) => (e.kind === 'actions' ? e.event.actions.filter((a) => a.title === "Clicked 'Save changes'").map((a) => a.timestampStart * 1000) : []));
    expect(saves).toHaveLength(3);
    expect(saves[2] - start).toBeGreaterThan(69_500);
  });

  it('fine user: no nudges at all', async () => {
    const { out, code } = await run(example('fine-user.jsonl'));
    expect(code).toBe(0);
    expect(out.trimEnd().split('\n')).toEqual([expect.stringMatching(/^replay fine-user\.jsonl \(rules: defaults; 17 events, 1 session;/), '0 sent, 0 suppressed, 0 failed']);
  });

  it('the shipped rules file gives the same story with its own rules', async () => {
    const { out } = await run(example('stuck-user.jsonl'), '--rules', example('rules.yml'));
    expect(sentLines(out).map((l) => l.split(/\s{2,}/u)[2])).toEqual(['bulk-edit-offer', 'billing-lost']);
    expect(sentLines(out)[0]).toContain('"Hi Casey, editing projects one by one?');
    expect(sentLines((await run(example('fine-user.jsonl'), '--rules', example('rules.yml'))).out)).toEqual([]);
  });

  it('shadow mode records what would have been sent and sends nothing', async () => {
    const { out } = await run(example('stuck-user.jsonl'), '--shadow');
    expect(sentLines(out)).toEqual([]);
    expect(out).toMatch(/\+01:09\.5 {2}ps_stuck_7f3a {2}bulk-edit-offer +suppressed\/shadow/);
    expect(out).toContain('mode shadow');
  });

  describe('errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));

    it('unreadable recording: exit 1 with the reason', async () => {
      const r = await run(join(dir, 'missing.jsonl'));
      expect(r).toMatchObject({ code: 1, out: '' });
      expect(r.err).toMatch(/^replay: cannot read .*missing\.jsonl \(ENOENT\)\n$/);
    });

    it('invalid rules: exit 1, naming the rule and the field', async () => {
      const rules = join(dir, 'bad.yml');
      writeFileSync(rules, 'rules:\n  - id: bulk-edit-offer\n    criteria: { all: [ { url_matches: "/projects/**" }, { repeated_action: { count: 1 } } ] }\n    message: hi\n');
      const r = await run(example('stuck-user.jsonl'), '--rules', rules);
      expect(r.code).toBe(1);
      expect(r.err).toContain('rule "bulk-edit-offer": criteria.all[1].repeated_action.count: must be an integer >= 2');
    });

    it('a broken line: exit 1 with its number', async () => {
      const rec = join(dir, 'broken.jsonl');
      writeFileSync(rec, '{"type":"actions","product_id":"p","session_id":"s","forwarded_at":1,"actions":[]}\n{not json\n');
      expect((await run(rec)).err).toMatch(/broken\.jsonl: line 2: not valid JSON/);
    });

    it('bad usage: exit 2 with the usage line', async () => {
      const r = await run('--rules');
      expect(r.code).toBe(2);
      expect(r.err).toContain('usage: npm run replay -- <events.jsonl>');
    });

    it('recording lines: summaries and unknown types are skipped; chat lines and times are checked', () => {
      const rec = parseRecording(
        [
          '{"type":"summary","product_id":"p","session_id":"s","summary":"x"}',
          '{"type":"usertour_trigger"}',
          '',
          '{"type":"chat","product_id":"p","session_id":"s","text":"hi","timestamp":5}',
          '{"type":"actions","product_id":"p","session_id":"s","forwarded_at":3,"actions":[]}',
        ].join('\n'),
      );
      expect(rec.ignoredLines).toEqual([1, 2]);
      // Recorded out of order: replayed at the previous time, never backwards.
      expect(rec.events.map((e) => e.at)).toEqual([5_000, 5_000]);
      expect(() => parseRecording('{"type":"actions","product_id":"p","session_id":"s","actions":[]}')).toThrow(RecordingError);
      expect(() => parseRecording('{"type":"chat","product_id":"p","session_id":"s","timestamp":1}')).toThrow(/line 1: a chat line needs text/);
    });
  });

  it('runs as `npm run replay` with exit code 0', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'replay', '--', example('fine-user.jsonl')], { cwd: root });
    expect(stdout).toContain('0 sent, 0 suppressed, 0 failed');
  }, 60_000);
});
