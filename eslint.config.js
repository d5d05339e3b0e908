import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // core/ and shared/ are plain Node: both shells (Electron and the browser server) and the CLI use them.
    files: ['src-main/core/**', 'src-main/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'core/ and shared/ must not depend on Electron.' }],
          patterns: [{ group: ['electron/*'], message: 'core/ and shared/ must not depend on Electron.' }],
        },
      ],
    },
  },
);
