import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './src-renderer/svelte.config.js';

// The layering of ARCHITECTURE.md ("data flows top to bottom, never back up"), as import rules.
// Each folder gets exactly one `no-restricted-imports` entry: a later entry for the same file would
// replace an earlier one, not add to it. Imports are matched as written, not resolved: "`./` or `../`s,
// then `app/`" means the folder src-main/app because no folder inside src-main/ repeats the name of a
// layer. Dynamic `import()` and `require()` are not covered.
const up = '(^(\\.\\.?/)+|(^|/)src-main/)';
const layer = {
  electron: [{ name: 'electron', message: 'Only src-main/app/ (the Electron shell) may import Electron.' }],
  electronPattern: {
    regex: '^electron/',
    message: 'Only src-main/app/ (the Electron shell) may import Electron.',
  },
  app: {
    regex: `${up}app(/|$)`,
    message:
      'src-main/app/ is the Electron shell: nothing else imports it (shared code goes in core/ or shared/).',
  },
  server: {
    regex: `${up}server(/|$)`,
    message:
      'src-main/server/ is the browser shell: nothing else imports it (shared code goes in core/ or shared/).',
  },
  cli: {
    regex: `${up}cli(\\.ts)?(/|$)`,
    message: 'The CLI (src-main/cli.ts, cli/) is a shell over core/: nothing else imports it.',
  },
  renderer: {
    regex: '(^|/)src-renderer(/|$)',
    message: 'src-main/ never imports the renderer; the renderer talks to it only through WorkbenchApi.',
  },
};
const restrict = (paths, patterns) => ['error', { paths, patterns }];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The renderer runs in a browser page (the Electron window or `timbre serve`), not in Node.
    files: ['src-renderer/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Components and rune modules (*.svelte.ts): the Svelte parser, with TypeScript inside <script lang="ts">.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
    rules: {
      // It reports every `new Map/Set/URLSearchParams` in these files, function locals included. Ours are
      // never mutated as state: state is replaced whole (copy, change, assign to a $state / $state.raw),
      // and a SvelteMap/SvelteSet there would only add per-entry signals nothing reads.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },

  // ---- Layering -------------------------------------------------------------------------------
  {
    // core/ is plain Node used by every shell: it never imports a shell, the renderer, or Electron.
    files: ['src-main/core/**'],
    rules: {
      'no-restricted-imports': restrict(layer.electron, [
        layer.electronPattern,
        layer.app,
        layer.server,
        layer.cli,
        layer.renderer,
      ]),
    },
  },
  {
    // shared/ is types and constants for every layer, the renderer included: it has no runtime
    // imports, and it does not reach out of shared/ at all (not even for types, which would pull
    // core/ or a shell into the renderer's type-check). Other shared files may be imported; a file
    // in a folder of shared/ (stats/) reaches them one level up.
    files: ['src-main/shared/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./\\.\\./',
              message: 'shared/ imports nothing outside shared/, not even types.',
            },
            {
              regex: '^(?!\\.\\.?/)',
              allowTypeImports: true,
              message: 'shared/ has no runtime imports: use `import type`, or move the code to core/.',
            },
          ],
        },
      ],
      // `import { type A } from 'x'` keeps a bare `import 'x'` under verbatimModuleSyntax (the renderer's tsconfig).
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    // The files right in shared/ have nothing above them in shared/.
    files: ['src-main/shared/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./',
              message: 'shared/ imports nothing outside shared/, not even types.',
            },
            {
              regex: '^(?!\\.\\.?/)',
              allowTypeImports: true,
              message: 'shared/ has no runtime imports: use `import type`, or move the code to core/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The browser shell runs in plain Node (`timbre serve`).
    files: ['src-main/server/**'],
    rules: {
      'no-restricted-imports': restrict(layer.electron, [
        layer.electronPattern,
        layer.app,
        layer.cli,
        layer.renderer,
      ]),
    },
  },
  {
    files: ['src-main/app/**'],
    rules: {
      'no-restricted-imports': restrict([], [layer.server, layer.cli, layer.renderer]),
    },
  },
  {
    // The CLI runs in plain Node; it may start the browser shell (`timbre serve`).
    files: ['src-main/cli.ts', 'src-main/cli/**'],
    rules: {
      'no-restricted-imports': restrict(layer.electron, [layer.electronPattern, layer.app, layer.renderer]),
    },
  },
  {
    // The renderer reaches src-main/ only through WorkbenchApi (lib/client.ts): it may import
    // src-main/shared/ (types and constants), never core/, a shell, or Electron.
    files: ['src-renderer/**'],
    rules: {
      'no-restricted-imports': restrict(layer.electron, [
        layer.electronPattern,
        {
          regex: '(^|/)src-main/(core|app|server|cli)(/|\\.ts$|$)',
          message:
            'The renderer imports only src-main/shared/ (types and constants); behaviour goes through WorkbenchApi.',
        },
      ]),
    },
  },
);
