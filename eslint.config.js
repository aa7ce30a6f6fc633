// Lint: type-aware rules plus the layering arrows of STYLE.md (lib is pure; components never import server).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', '.next/**', 'data/**', 'test/vectors/**', 'server/generated/**', 'next-env.d.ts', 'coverage/**', 'public/**', 'tmp/**', '.tmp*', 'tmp-*'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'bin/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-restricted-paths': ['error', {
        zones: [
          { target: './lib', from: ['./server', './app', './components', './workers', './e2e'], message: 'lib/ is pure: it imports nothing from the shells.' },
          { target: './components', from: ['./server', './workers'], message: 'components run in the browser: import lib/, never server/.' },
          { target: './workers', from: ['./app', './components'], message: 'workers never import UI code.' },
        ],
      }],
    },
  },
  {
    files: ['lib/**/*.ts'],
    ignores: ['lib/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'net', 'http', '/crypto', 'next', 'next/*', '@prisma/*', 'socket.io', 'ws', 'classic-level'], message: 'lib/ is pure: no I/O imports.' },
      ] }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'lib/ takes time as input.' },
        { object: 'Math', property: 'random', message: 'lib/ takes randomness as input.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
