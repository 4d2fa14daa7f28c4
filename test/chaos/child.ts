/**
 * The crash steps' child process: the real Lambda handler (test/support/run-pass.ts)
 * bundled once per run with esbuild and started with plain node, which takes a
 * fraction of loading it through tsx each time (the slowest part of a schedule
 * before). Killed with SIGKILL at its crash point, or by us after 60 s.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { runNode, type ChildEnd } from '../support/child';

const entry = fileURLToPath(new URL('../support/run-pass.ts', import.meta.url));
const outfile = fileURLToPath(new URL(`../../.local/chaos/run-pass-${process.pid}.mjs`, import.meta.url));
let bundled: Promise<void> | undefined;

function bundle(): Promise<void> {
  bundled ??= (async () => {
    mkdirSync(fileURLToPath(new URL('../../.local/chaos/', import.meta.url)), { recursive: true });
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'error',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
  })();
  return bundled;
}

export async function runBundledPass(env: Record<string, string>): Promise<ChildEnd> {
  await bundle();
  return runNode([outfile], { ...env, LOG_LEVEL: process.env.CHILD_LOG ?? 'warn' });
}
