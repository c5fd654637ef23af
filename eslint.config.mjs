// ESLint (flat config): the recommended JavaScript and typescript-eslint rules over the whole
// tree, tuned below where the code means what a rule forbids. `npm run lint` allows no warnings.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      'dist/',
      'out/',
      'media/dist/',
      'test/artifacts/',
      '.vscode-test/',
      // Broken on purpose: the tests read the CLI's messages about them.
      'test/runtime/fixtures/bad-input/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Dropping a field by destructuring the rest is the idiom for "all but this one".
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // A rest parameter typed any[] is how a signature accepts any function's arguments.
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
    },
  },
  {
    files: ['src/webview/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**'],
    languageOptions: { globals: { ...globals.mocha } },
  },
  {
    // The runtime calls the user's functions and callbacks, whose signatures it cannot know,
    // and its public API mirrors Python's untyped one: a callback's error is `any` so that a
    // user's `(e: Error) => ...` is accepted, and pools keep futures of any result type.
    files: ['src/runtime/**'],
    rules: {
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
