/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/companion-server/test', '<rootDir>/plugin/test', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true, diagnostics: false }],
  },
  // Model-heavy suites share two cores; run files one at a time for predictable memory.
  maxWorkers: 1,
  testTimeout: 120000,
};
