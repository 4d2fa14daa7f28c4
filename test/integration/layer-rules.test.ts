/**
 * The import rules of `npm run lint` (.dependency-cruiser.cjs) on tiny trees
 * in a temp dir: a tree whose imports point down passes, and a cycle (even
 * through `import type`), an upward import, sync ↔ catalog and production code
 * importing local/ each fail by name.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'layer-rules-'));
  dirs.push(dir);
  copyFileSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'preserve', moduleResolution: 'bundler', strict: true } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function cruise(dir: string): Promise<{ code: number; output: string }> {
  const bin = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
  return new Promise((resolve) => {
    execFile(join(root, 'scripts/node22'), [bin, '--config', '.dependency-cruiser.cjs', 'functions', 'lib', 'local'], { cwd: dir }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

const layered = {
  'lib/core/region.ts': 'export const id = (s: string) => s;\n',
  'lib/store/items.ts': "import { id } from '../core/region';\nexport const key = id('k');\n",
  'lib/sync/plan.ts': "import { key } from '../store/items';\nexport const plan = key;\n",
  'lib/catalog/routes.ts': "import { key } from '../store/items';\nexport const route = key;\n",
  'functions/sync.ts': "import { plan } from '../lib/sync/plan';\nexport const handler = plan;\n",
  'local/start.ts': "import { route } from '../lib/catalog/routes';\nimport { handler } from '../functions/sync';\nexport const both = [route, handler];\n",
};

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('import rules', () => {
  it('pass a tree whose imports only point down', async () => {
    const { code, output } = await cruise(tree(layered));
    expect(output).toContain('no dependency violations found');
    expect(code).toBe(0);
  });

  it('reject a cycle, an upward import, sync importing catalog and lib importing local/', async () => {
    const { code, output } = await cruise(
      tree({
        ...layered,
        // a type-only cycle inside the store: a.ts → b.ts → a.ts
        'lib/store/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
        'lib/store/b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
        // the store reaching up into the sync function for a type
        'lib/store/commit.ts': "import type { plan } from '../sync/plan';\nexport type P = typeof plan;\n",
        'lib/sync/feed.ts': "import { route } from '../catalog/routes';\nexport const feed = route;\n",
        'lib/catalog/dev.ts': "import { both } from '../../local/start';\nexport const dev = both;\n",
      }),
    );
    expect(code).not.toBe(0);
    expect(output).toMatch(/error no-cycle: lib\/store\/(a|b)\.ts/);
    expect(output).toContain('error store-below-sync-and-catalog: lib/store/commit.ts → lib/sync/plan.ts');
    expect(output).toContain('error sync-not-catalog: lib/sync/feed.ts → lib/catalog/routes.ts');
    expect(output).toContain('error production-not-dev: lib/catalog/dev.ts → local/start.ts');
  });

  it('let only lib/sync/pass.ts compose the sync stages, and no stage import another', async () => {
    const stages = {
      ...layered,
      'lib/sync/pipeline.ts': "import { key } from '../store/items';\nexport type Shared = typeof key;\n",
      'lib/sync/stages/fetch.ts': "import type { Shared } from '../pipeline';\nexport const fetch = (s: Shared) => s;\n",
      'lib/sync/stages/plan.ts': "import { plan } from '../plan';\nexport const planStage = plan;\n",
      'lib/sync/pass.ts': "import { fetch } from './stages/fetch';\nimport { planStage } from './stages/plan';\nexport const pass = [fetch, planStage];\n",
    };
    const clean = await cruise(tree(stages));
    expect(clean.output).toContain('no dependency violations found');
    expect(clean.code).toBe(0);

    const { code, output } = await cruise(
      tree({
        ...stages,
        // a stage reaching into another stage, even for a type
        'lib/sync/stages/commit.ts': "import type { planStage } from './plan';\nexport type C = typeof planStage;\n",
        // a sync module other than the pass composing a stage
        'lib/sync/handler.ts': "import { fetch } from './stages/fetch';\nexport const h = fetch;\n",
      }),
    );
    expect(code).not.toBe(0);
    expect(output).toContain('error stage-imports-no-stage: lib/sync/stages/commit.ts → lib/sync/stages/plan.ts');
    expect(output).toContain('error only-pass-composes-stages: lib/sync/handler.ts → lib/sync/stages/fetch.ts');
    expect(output).not.toContain('lib/sync/pass.ts →');
  });
});
