import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Node built-ins, spelled with and without the `node:` prefix.
const nodeBuiltins = [
  'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'util',
  'stream', 'events', 'worker_threads', 'zlib', 'readline', 'process', 'buffer', 'timers',
];
const nodeImportRegex = `^(node:.*|(${nodeBuiltins.join('|')})(/.*)?)$`;

// Test support (reference models, temporary ledgers, fault proxies, harnesses) lives in testing/
// folders or *.testing.ts files; tests and test support may use it, production code never.
const TEST_FILES = ['**/*.test.ts', '**/*.test.tsx', '**/testing/**', '**/*.testing.ts'];
const testSupport = {
  regex: '(^|/)testing(/.*)?$|\\.testing$',
  message: 'Production code never imports test support (testing/ folders, *.testing.ts).',
};
/** A relative import that leaves for another top-level room of src/. */
const into = (rooms, message) => ({ regex: `^(\\.\\./)+(${rooms.join('|')})(/.*)?$`, message });
const electronOnly = { name: 'electron', message: 'Only src/main/electron and src/preload import electron.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'build/**', 'node_modules/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The credit engine and the contract are shared by every host: no I/O, no platform APIs.
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            testSupport,
            into(['main', 'renderer', 'central', 'preload', 'cli'], 'src/shared imports nothing outside src/shared.'),
            { regex: nodeImportRegex, message: 'src/shared is pure: no Node APIs.' },
            { group: ['electron', 'electron/*'], message: 'src/shared is pure: no Electron.' },
            { group: ['react', 'react-dom', 'react/*', 'react-dom/*'], message: 'src/shared is pure: no React.' },
            { group: ['better-sqlite3', 'pg', '@electric-sql/*'], message: 'src/shared is pure: no databases.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Date', message: 'The engine has no clock of its own: take time as a parameter.' },
        { name: 'window', message: 'No DOM in src/shared.' },
        { name: 'document', message: 'No DOM in src/shared.' },
        { name: 'process', message: 'No Node in src/shared.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'The engine has no clock of its own.' },
        { object: 'Math', property: 'random', message: 'The engine is deterministic.' },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Only the Electron host may import electron; the main process does not reach into the
    // central service (main's sync tests start a real one: tests may).
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**', ...TEST_FILES],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronOnly], patterns: [testSupport, into(['central', 'renderer', 'cli'], 'src/main does not import the central service, the screens or the commands.')] },
      ],
    },
  },
  {
    files: ['src/main/electron/**/*.ts', 'src/preload/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': ['error', { patterns: [testSupport, into(['central', 'renderer', 'cli'], 'The Electron host does not import the central service, the screens or the commands.')] }],
    },
  },
  {
    files: ['src/central/**/*.ts', 'src/cli/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': ['error', { paths: [electronOnly], patterns: [testSupport] }],
    },
  },
  {
    // Shared test support is pure too, and may use other test support.
    files: ['src/shared/**/testing/**/*.ts', 'src/shared/**/*.testing.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            into(['main', 'renderer', 'central', 'preload', 'cli'], 'src/shared imports nothing outside src/shared.'),
            { regex: nodeImportRegex, message: 'src/shared is pure: no Node APIs.' },
          ],
        },
      ],
    },
  },
  {
    // The contract's index builds every zod schema when loaded: the screens take values from its
    // zod-free modules (client.ts, constants.ts, envelope.ts, roles.ts) so that the first script
    // does not carry zod (src/renderer/README.md). Types are free.
    files: ['src/renderer/**/*.{ts,tsx}'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnly],
          patterns: [
            testSupport,
            into(['main', 'central', 'cli'], 'The screens reach the main process only through the contract (src/shared/api).'),
            {
              regex: '(^|/)shared/api(/index)?$',
              allowTypeImports: true,
              message: 'Import values from the zod-free modules of src/shared/api (client, constants, envelope, roles), not its index.',
            },
          ],
        },
      ],
    },
  },
);
