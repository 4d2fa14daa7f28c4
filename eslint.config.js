// Lint: ESLint's and typescript-eslint's recommended rules over the TypeScript sources.
// The layer and cycle rules are dependency-cruiser's (.dependency-cruiser.cjs, `npm run lint:layers`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', '.local/', 'coverage/', 'bench/out/', 'bench/.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  // The import-rule config (dependency-cruiser) is CommonJS.
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __filename: 'readonly' } } },
);
