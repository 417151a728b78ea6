import { judgeAllowsSpeaking, parseJudgeVerdict } from './judge';

describe('parseJudgeVerdict', () => {
  it('accepts strict JSON with a boolean speak and a string reason', () => {
    expect(parseJudgeVerdict('{"speak": true, "reason": "editing the third project"}')).toEqual({ speak: true, reason: 'editing the third project' });
    expect(parseJudgeVerdict('  {"reason":"busy typing","speak":false}\n')).toEqual({ speak: false, reason: 'busy typing' });
    expect(judgeAllowsSpeaking('{"speak": true, "reason": "ok"}')).toBe(true);
  });

  it.each([
    ['fenced', '```json\n{"speak": true, "reason": "x"}\n```'],
    ['prose around it', 'Sure! {"speak": true, "reason": "x"}'],
    ['string boolean', '{"speak": "true", "reason": "x"}'],
    ['number boolean', '{"speak": 1, "reason": "x"}'],
    ['no reason', '{"speak": true}'],
    ['non-string reason', '{"speak": true, "reason": 3}'],
    ['extra key', '{"speak": true, "reason": "x", "message": "hi"}'],
    ['an array', '[{"speak": true, "reason": "x"}]'],
    ['broken JSON', '{"speak": true, "reason": }'],
    ['empty', ''],
    ['huge', `{"speak": true, "reason": "${'x'.repeat(3_000)}"}`],
  ])('refuses %s (= do not send)', (_, text) => {
    expect(parseJudgeVerdict(text)).toBeNull();
    expect(judgeAllowsSpeaking(text)).toBe(false);
  });

  it('bounds the reason', () => {
    expect(parseJudgeVerdict(`{"speak": false, "reason": "${'y'.repeat(1_000)}"}`)!.reason).toHaveLength(300);
  });
});
