// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The module boundaries of docs/architecture.md, as lint rules: each folder of src/
 * lists what it must not import. `npm test` runs the linter first, so an import that
 * breaks an arrow fails CI.
 */
const FEATURES = ['activity', 'llm', 'summarizer', 'copilot', 'channels', 'health', 'kb', 'proactive', 'console', 'demo', 'browser', 'http-lane'];
const feature = (name) => [`**/${name}`, `**/${name}/**`];
const features = (...except) => FEATURES.filter((f) => !except.includes(f)).flatMap(feature);

/** What only activity/ may touch: the SESSION_STORE token, store implementations and factory, the sources. */
const ACTIVITY_INTERNALS = [
  '**/activity/activity.constants',
  '**/activity/session-store/memory.*',
  '**/activity/session-store/redis.*',
  '**/activity/session-store/*.factory',
  '**/activity/session-store/session-store.feeder',
  '**/activity/sources/**',
];
/** Implementations behind ports are chosen in their module's factory; nobody else names them. */
const IMPLEMENTATIONS = ['**/queue/memory.*', '**/queue/bullmq.*', '**/queue/redis.*', '**/state/memory.*', '**/state/redis.*', '**/copilot/memory.*', '**/copilot/redis.*', '**/user-events/memory.*', '**/user-events/redis.*'];

const rule = (message, ...groups) => ({ group: groups.flat(), message });

/** Folder → patterns it may not import. Specs and contract suites are exempt (they test implementations). */
const BOUNDARIES = {
  config: [rule('config/ is the base of everything: it imports no other part of src/.', features(), '**/common/**', '**/observability/**', '**/state/**', '**/queue/**')],
  common: [rule('common/ holds shared helpers: it imports no feature module.', features(), '**/state/**', '**/queue/**')],
  observability: [rule('observability/ is a base module: it imports no feature module.', features(), '**/state/**', '**/queue/**')],
  state: [rule('state/ is a port module: it imports no feature module.', features())],
  queue: [rule('queue/ is a port module: it imports no feature module.', features())],
  'user-events': [rule('user-events/ is a port module (per-user event feeds): it imports no feature module.', features(), '**/queue/**')],
  redis: [rule('redis/ is a base module (the shared connection, leases): it imports no feature module.', features(), '**/state/**', '**/queue/**')],
  llm: [rule('llm/ knows nothing of activity, copilot or channels (swap providers without touching them).', features('llm'))],
  activity: [rule('activity/ is the bottom feature: it may not import llm, copilot, summarizer or channels.', features('activity'))],
  summarizer: [
    rule('summarizer/ reads activity through ActivityReader / ActivityIngestService / StoredActionsFeed only.', ACTIVITY_INTERNALS, IMPLEMENTATIONS),
    rule('summarizer/ may use activity and llm only.', features('summarizer', 'activity', 'llm')),
  ],
  copilot: [
    rule('copilot/ reads activity through ActivityReader only, never SESSION_STORE or a store implementation.', ACTIVITY_INTERNALS, ['**/queue/memory.*', '**/queue/bullmq.*', '**/queue/redis.*', '**/state/memory.*', '**/state/redis.*']),
    rule('copilot/ may use activity, llm and kb only.', features('copilot', 'activity', 'llm', 'kb')),
  ],
  channels: [
    rule('channels/ depend on copilot/ and the JOB_QUEUE / KEY_VALUE_STORE ports only: never activity/, llm/ or a port implementation.', feature('activity'), feature('llm'), IMPLEMENTATIONS),
    rule('channels/ may not import the summarizer, proactive engine or other features.', features('channels', 'copilot', 'activity', 'llm')),
  ],
  kb: [
    rule(
      'kb/ knows nothing of activity, copilot, channels or llm: where a user is comes in through KB_PAGE_CONTEXT, bound by the composition root.',
      features('kb'),
      '**/state/**',
      '**/queue/**',
    ),
  ],
  'proactive/engine': [
    rule('proactive/engine/ is framework-free: no Nest, no Redis or queue, and of the app only activity/ and copilot/ types and helpers.', ['@nestjs/*', '**/redis/**', '**/queue/**'], features('proactive', 'activity', 'copilot')),
  ],
  'proactive/integration': [
    rule('proactive/ reads activity through ActivityReader / StoredActionsFeed only, never SESSION_STORE or a store implementation.', ACTIVITY_INTERNALS, IMPLEMENTATIONS),
    rule(
      "proactive/ reaches channels only through their port files (proactive-sender.port, channel-adapter.port), never a channel's folder or the reply pipeline.",
      ['**/channels/**', '!**/channels/*.port'],
    ),
    rule('proactive/ may use activity, copilot, llm and the channel ports only.', features('proactive', 'activity', 'copilot', 'llm', 'channels')),
  ],
  browser: [
    rule('browser/ writes activity through ActivityIngestService and answers through CopilotService: never a store, a source or a port implementation.', ACTIVITY_INTERNALS, IMPLEMENTATIONS),
    rule('browser/ may use activity, copilot and the USER_EVENT_BUS port only (never a channel, the demo or the console).', features('browser', 'activity', 'copilot')),
  ],
  demo: [
    rule('demo/ publishes its simulated users through ActivityIngestService: never a store, a source or a port implementation.', ACTIVITY_INTERNALS, IMPLEMENTATIONS),
    rule('demo/ may use activity and copilot (to mint its visitor tokens) only.', features('demo', 'activity', 'copilot')),
  ],
  console: [
    rule('console/ reads activity through ActivityReader and IngestStats only, never SESSION_STORE, a store implementation or a source.', ACTIVITY_INTERNALS, IMPLEMENTATIONS),
    rule('console/ may use activity and copilot (public services) only: proactive decisions arrive through CONSOLE_DECISIONS, never an import.', features('console', 'activity', 'copilot'), '**/queue/**'),
  ],
  health: [rule('health/ only serves what the observability registry reports.', features('health'), '**/state/**', '**/queue/**')],
  'http-lane': [rule('http-lane/ serves the routes in HotRouteRegistry: it imports base modules only, never the features that own the routes.', features('http-lane'), '**/state/**', '**/queue/**')],
};

const boundaryBlocks = Object.entries(BOUNDARIES).map(([folder, patterns]) => ({
  files: [`src/${folder}/**/*.ts`],
  ignores: ['**/*.spec.ts', '**/*.contract.ts'],
  rules: { 'no-restricted-imports': ['error', { patterns }] },
}));

/** Each channel folder stands alone: channels meet only in channel-definitions.ts and the shared pipeline. */
const CHANNEL_FOLDERS = ['crisp', 'rasa', 'rest'];
const channelBlocks = CHANNEL_FOLDERS.map((name) => ({
  files: [`src/channels/${name}/**/*.ts`],
  ignores: ['**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...BOUNDARIES.channels,
          rule(`channels/${name}/ may not import another channel's folder.`, CHANNEL_FOLDERS.filter((c) => c !== name).flatMap((c) => [`**/channels/${c}/**`, `../${c}/**`])),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'examples/**/*.js', 'src/**/*.asset.js', 'public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts', '**/*.contract.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-console': 'off' },
  },
  ...boundaryBlocks,
  ...channelBlocks,
);
