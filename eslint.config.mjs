// One ESLint config for the workspace. Module boundaries: services import only shared libraries, never
// each other; libraries import only libraries; the web app imports nothing from the backend.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      '.nx/**',
      '.cache/**',
      'e2e/output/**',
      'libs/proto/src/gen/**',
      'libs/api-client/src/gen/**',
      'services/*/src/generated/**',
      'web/src/api/generated/**',
      'web/dist/**',
      'web/src/gen/**',
      'charts/**/templates/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:web'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../*', '**/libs/*/src/*', '**/services/*/src/*'],
              message: 'Import other projects through their @parley/* entry.',
            },
          ],
        },
      ],
    },
  },
  {
    // Config is read in exactly one place per service: its *.config.ts schema.
    files: ['services/*/src/**/*.ts'],
    ignores: ['services/*/src/**/*.config.ts', 'services/*/src/**/*.spec.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read env only in the service config schema.' },
      ],
    },
  },
  {
    // The web app: the React hooks rules (rules of hooks, exhaustive effect dependencies).
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);
