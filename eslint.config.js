// ESLint 9 flat config: type-checked rules, the layer rule, prettier last.
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.tmp/', '.scratch/', 'wasm/', 'eslint.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      curly: 'error',
      'no-console': 'error',
    },
  },
  {
    // shared/ is the bottom layer: it imports neither producer/ nor workers/.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/producer/**', '**/workers/**', '**/bridge/**', '**/cli*'] },
      ],
    },
  },
  {
    files: ['src/producer/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/workers/**'] }] },
  },
  {
    files: ['src/workers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/producer/**'] }] },
  },
  {
    // The CLI and the scripts talk to people on a terminal.
    files: ['src/cli.ts', 'src/cli/**/*.ts', 'scripts/**', 'bench/**', 'eval/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly' },
      parserOptions: { projectService: false, project: null },
    },
  },
  prettier,
);
