// ESLint (flat config): typescript-eslint's type-checked recommended rules over every TypeScript
// project in the repository, each file checked with the tsconfig that type-checks it. Formatting
// stays with prettier (`npm run lint` runs both).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

/** Type information for one tsconfig project's files. */
function typed(files, project) {
  return { files, languageOptions: { parserOptions: { project, tsconfigRootDir: root } } };
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', 'test-artifacts/**', 'models/**'] },
  {
    files: ['**/*.ts'],
    extends: [eslint.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    rules: {
      // Async methods without await implement Promise-returning interfaces (host adapters, handlers,
      // writers, fakes); `async` also turns their throws into rejections, which dropping it would not.
      '@typescript-eslint/require-await': 'off',
      // A leading underscore marks a deliberately unused parameter or a field left out of a rest copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  // The root tsconfig type-checks the packages, the server and the tests together, resolving
  // `@oneshot-roto/<name>` to each package's src/ (as `npm run typecheck` does); no build needed.
  typed(
    [
      'packages/*/src/**/*.ts',
      'packages/*/test/**/*.ts',
      'companion-server/src/**/*.ts',
      'companion-server/test/**/*.ts',
      'test/**/*.ts',
    ],
    './tsconfig.json',
  ),
  typed(['lab/**/*.ts'], './lab/tsconfig.json'),
  typed(['plugin/src/**/*.ts'], './plugin/tsconfig.json'),
  typed(['plugin/test/**/*.ts'], './plugin/test/tsconfig.json'),
  {
    files: ['packages/onnx-train/src/**/*.ts', 'packages/core/src/model/**/*.ts'],
    rules: {
      // onnx-proto types protobuf enum fields (dataType, attribute ints) as number; comparing them
      // with the generated enums (DataType.FLOAT) is how the schema is meant to be read.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    files: [
      'packages/*/test/**/*.ts',
      'companion-server/test/**/*.ts',
      'plugin/test/**/*.ts',
      'test/**/*.ts',
    ],
    rules: {
      // jest's asymmetric matchers (expect.stringMatching, expect.any, …) are typed any.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['plugin/test/fakes/**/*.ts'],
    rules: {
      // The fakes build host objects with get/set accessors, whose `this` is the object literal;
      // they reach the fake itself through an alias.
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
);
