// typescript-eslint's recommended rules for src/, plus the type-aware ones that are cheap and catch real bugs
// here (promises left floating or passed where a callback's result is ignored). The editor code, the scripts
// and the tests are JavaScript: ESLint's own recommended rules (those its rule table marks recommended, the
// set @eslint/js ships, without another dependency) with the globals each of them runs with.
import { builtinRules } from 'eslint/use-at-your-own-risk';
import tseslint from 'typescript-eslint';

const jsRecommended = Object.fromEntries(
  [...builtinRules].filter(([, rule]) => rule.meta?.docs?.recommended).map(([name]) => [name, 'error']),
);
const unusedVars = ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }];

const readonly = (names) => Object.fromEntries(names.map((name) => [name, 'readonly']));
const NODE = readonly([
  'AbortController',
  'AbortSignal',
  'Buffer',
  'URL',
  'URLSearchParams',
  'TextDecoder',
  'TextEncoder',
  'clearInterval',
  'clearTimeout',
  'console',
  'fetch',
  'process',
  'setImmediate',
  'setInterval',
  'setTimeout',
  'structuredClone',
]);
const COMMONJS = readonly(['require', 'module', 'exports', '__dirname', '__filename']);
// what code run in the editor's page sees (resources/editor.js, and page.evaluate callbacks in the browser test)
const BROWSER = readonly(['window', 'document', 'getComputedStyle', '$', 'RED']);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**'] },
  {
    files: ['src/**/*.ts'],
    extends: [...tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': unusedVars,
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { ...jsRecommended, 'no-unused-vars': unusedVars },
  },
  {
    files: ['resources/**/*.js'],
    languageOptions: { sourceType: 'script', globals: BROWSER },
  },
  {
    files: ['scripts/**/*.js', 'test/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...NODE, ...COMMONJS } },
  },
  {
    files: ['test/**/*.mjs', '*.config.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...NODE, ...BROWSER } },
  },
);
