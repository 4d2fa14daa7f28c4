/**
 * The layer rules, checked by `npm run lint` (dependency-cruiser, type-only
 * imports included, so a cycle through `import type` counts too):
 *
 *   functions/ → lib/sync/ | lib/catalog/ → lib/store/ → lib/core/
 *
 * Imports only point down; lib/sync and lib/catalog never import each other;
 * production code (functions/, lib/) never imports local/, bench/, scripts/ or test/,
 * which may import anything. No module is part of an import cycle.
 *
 * Inside lib/sync, the pass's stages (lib/sync/stages/*) import no other stage
 * and only lib/sync/pass.ts composes them (tests may import any stage, to test
 * it alone); what stages hand one another is typed in lib/sync/pipeline.ts.
 */
const production = '^(functions|lib)/';
const devOnly = '^(local|bench|scripts|test)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'A cycle makes load order matter and hides which module owns what: move the shared part one layer down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      comment: 'lib/core imports nothing of the project but lib/core.',
      from: { path: '^lib/core/' },
      to: { path: '^(functions|lib/(store|sync|catalog)|local|bench|scripts|test)/' },
    },
    {
      name: 'store-below-sync-and-catalog',
      severity: 'error',
      comment: 'lib/store imports only lib/store and lib/core.',
      from: { path: '^lib/store/' },
      to: { path: '^(functions|lib/(sync|catalog)|local|bench|scripts|test)/' },
    },
    {
      name: 'sync-not-catalog',
      severity: 'error',
      comment: 'lib/sync and lib/catalog never import each other: what both need lives in lib/store or lib/core.',
      from: { path: '^lib/sync/' },
      to: { path: '^(functions|lib/catalog)/' },
    },
    {
      name: 'catalog-not-sync',
      severity: 'error',
      comment: 'lib/sync and lib/catalog never import each other: what both need lives in lib/store or lib/core.',
      from: { path: '^lib/catalog/' },
      to: { path: '^(functions|lib/sync)/' },
    },
    {
      name: 'functions-are-the-top',
      severity: 'error',
      comment: 'A function entry point is imported by nothing in production code.',
      from: { path: '^lib/' },
      to: { path: '^functions/' },
    },
    {
      name: 'production-not-dev',
      severity: 'error',
      comment: 'functions/ and lib/ never import the local stack, the benchmarks, the tooling scripts or the tests.',
      from: { path: production },
      to: { path: devOnly },
    },
    {
      name: 'stage-imports-no-stage',
      severity: 'error',
      comment: 'A sync stage imports no other stage: lib/sync/pass.ts composes them; shared types live in lib/sync/pipeline.ts.',
      from: { path: '^lib/sync/stages/([^/]+)[.]ts$' },
      to: { path: '^lib/sync/stages/', pathNot: '^lib/sync/stages/$1[.]ts$' },
    },
    {
      name: 'only-pass-composes-stages',
      severity: 'error',
      comment: 'Only lib/sync/pass.ts (and tests) import the sync stages.',
      from: { path: production, pathNot: '^lib/sync/(pass[.]ts|stages/)' },
      to: { path: '^lib/sync/stages/' },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'A relative import that does not resolve cannot be checked against the layers (bare type-only packages such as aws-lambda are left out).',
      from: {},
      to: { couldNotResolve: true, path: '^[.]' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.serverless|\\.esbuild|\\.local|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
