/** @type {import('jest').Config} */
module.exports = {
  // onnxruntime-node checks tensors with instanceof: share the host realm's typed arrays with tests.
  testEnvironment: '<rootDir>/test/support/ort-environment.js',
  setupFiles: ['<rootDir>/test/support/quiet-logs.js'],
  roots: [
    '<rootDir>/packages/protocol/test',
    '<rootDir>/packages/onnx-train/test',
    '<rootDir>/packages/core/test',
    '<rootDir>/companion-server/test',
    '<rootDir>/plugin/test',
    '<rootDir>/test',
  ],
  // Tests run on the packages' sources (as tsconfig.json's paths type-check them), not on dist/.
  moduleNameMapper: {
    '^@oneshot-roto/(protocol|onnx-train|core)$': '<rootDir>/packages/$1/src/index.ts',
    '^@oneshot-roto/companion-server$': '<rootDir>/companion-server/src/index.ts',
  },
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  // Model-heavy suites share two cores; run files one at a time for predictable memory.
  maxWorkers: 1,
  testTimeout: 120000,
};
