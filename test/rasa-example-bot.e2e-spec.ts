import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { bootTestApp, type TestApp } from './support/test-app';

const BOT = join(__dirname, '..', 'examples', 'rasa-bot');
const load = (file: string) => parse(readFileSync(join(BOT, file), 'utf8')) as Record<string, any>;

type Step = { intent?: string; action?: string };
const stepsOf = (items: { steps: Step[] }[]) => items.flatMap((i) => i.steps);

describe('examples/rasa-bot against this service', () => {
  let t: TestApp;
  let served: string[];
  const domain = load('domain.yml');
  const rules = stepsOf(load('data/rules.yml').rules);
  const stories = stepsOf(load('data/stories.yml').stories);
  const named = [...rules, ...stories].map((s) => s.action).filter((a): a is string => Boolean(a));

  beforeAll(async () => {
    t = await bootTestApp({ env: { CHANNELS: 'rasa' } });
    served = ((await request(t.server).get('/rasa/actions').expect(200)).body as { name: string }[]).map((a) => a.name);
  });
  afterAll(() => t.close());

  it('parses every YAML file of the bot', () => {
    for (const file of ['config.yml', 'domain.yml', 'credentials.yml', 'endpoints.yml', 'data/nlu.yml', 'data/rules.yml', 'data/stories.yml']) {
      expect(load(file)).toEqual(expect.any(Object));
    }
  });

  it('names only custom actions this service serves, and only responses the domain defines', () => {
    const custom = [...domain.actions, ...named.filter((a) => !a.startsWith('utter_'))];
    expect(custom.length).toBeGreaterThan(0);
    for (const action of custom) expect(served).toContain(action);
    for (const utter of named.filter((a) => a.startsWith('utter_'))) expect(Object.keys(domain.responses)).toContain(utter);
  });

  it('follows the recipe: its intents, and nlu_fallback goes to action_ask_llm', () => {
    expect(domain.intents).toEqual(
      expect.arrayContaining(['greet', 'goodbye', 'bot_challenge', 'ask_what_just_happened', 'ask_help_current_page', 'nlu_fallback']),
    );
    const fallbackRule = load('data/rules.yml').rules.find((r: { steps: Step[] }) => r.steps.some((s) => s.intent === 'nlu_fallback'));
    expect(fallbackRule.steps).toEqual([{ intent: 'nlu_fallback' }, { action: 'action_ask_llm' }]);
    // Every intent used in training data is declared, and every trained intent has examples.
    const trained = load('data/nlu.yml').nlu.map((n: { intent: string }) => n.intent);
    // EXTERNAL_ intents are triggered through Rasa's HTTP API, never typed: they have no examples.
    for (const s of [...rules, ...stories]) if (s.intent && s.intent !== 'nlu_fallback' && !s.intent.startsWith('EXTERNAL_')) expect(trained).toContain(s.intent);
    for (const intent of trained) expect(domain.intents).toContain(intent);
  });

  it('maps the proactive intent (PROACTIVE_RASA_INTENT default) to the action that utters the nudge', () => {
    expect(domain.intents).toContain('EXTERNAL_proactive_nudge');
    expect(domain.entities).toEqual(expect.arrayContaining(['trigger_id', 'message']));
    const rule = load('data/rules.yml').rules.find((r: { steps: Step[] }) => r.steps.some((s) => s.intent === 'EXTERNAL_proactive_nudge'));
    expect(rule.steps).toEqual([{ intent: 'EXTERNAL_proactive_nudge' }, { action: 'action_proactive_nudge' }]);
    expect(served).toContain('action_proactive_nudge');
  });

  it('points Rasa at this service and passes the widget user id as customData', () => {
    expect(load('endpoints.yml').action_endpoint.url).toMatch(/\/rasa\/webhook$/);
    const credentials = load('credentials.yml');
    expect(credentials.socketio.metadata_key).toBe('customData');
    expect(credentials).toHaveProperty('rest');
    expect(load('config.yml').pipeline.some((c: { name: string }) => c.name === 'FallbackClassifier')).toBe(true);
  });
});
