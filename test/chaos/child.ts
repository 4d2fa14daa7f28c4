/**
 * The crash steps' child process: the real Lambda handler (test/support/run-pass.ts)
 * bundled once per run with esbuild and started with plain node, which takes a
 * fraction of loading it through tsx each time (the slowest part of a schedule
 * before). Killed with SIGKILL at its crash point, or by us after 60 s.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

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

export async function runBundledPass(env: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  await bundle();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [outfile], {
      env: { ...process.env, ...env, LOG_LEVEL: process.env.CHILD_LOG ?? 'warn', NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}
