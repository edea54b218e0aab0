// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'training/**', 'var/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Fastify handlers and port implementations are async by contract even when one needs no await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
  // Plain-JS test fixtures (stand-in worker threads, child processes) are outside the TypeScript project: lint them
  // as JavaScript, without type information.
  { files: ['**/*.mjs'], extends: [tseslint.configs.disableTypeChecked], languageOptions: { globals: { process: 'readonly', Atomics: 'readonly', SharedArrayBuffer: 'readonly', console: 'readonly' } } },
  // The dashboard runs in the browser as one plain ES module (no build step): JavaScript rules, browser globals.
  {
    files: ['web/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'module',
      globals: {
        document: 'readonly', window: 'readonly', fetch: 'readonly', localStorage: 'readonly', URL: 'readonly',
        TextDecoder: 'readonly', TextDecoderStream: 'readonly', AbortController: 'readonly', setTimeout: 'readonly', setInterval: 'readonly',
        clearTimeout: 'readonly', clearInterval: 'readonly', console: 'readonly', performance: 'readonly',
      },
    },
  },
);
