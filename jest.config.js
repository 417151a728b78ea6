// Unit specs live beside the code (src/**/*.spec.ts); end-to-end specs in test/ (*.e2e-spec.ts; *.browser-spec.ts drive real headless Chromium).
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec|browser-spec)\\.ts$',
  moduleFileExtensions: ['js', 'json', 'ts'],
  // Type checking is done once by `tsc --noEmit` in `npm test`; jest only transpiles.
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  setupFiles: ['<rootDir>/test/support/jest.setup.ts'],
  testTimeout: 20000,
  maxWorkers: 2,
};
