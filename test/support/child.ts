/**
 * Runs test/support/run-pass.ts (or any node script) in a child process and reports how it ended.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./run-pass.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));

export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

export function runPassInChild(env: Record<string, string>): Promise<ChildEnd> {
  return runNode(['--import', tsx, script], { ...env, LOG_LEVEL: 'warn' });
}

/** Runs node with `args` and `env` over this process's environment; its output (stdout and stderr) and how it ended. SIGKILLed after 60 s. */
export function runNode(args: string[], env: Record<string, string>): Promise<ChildEnd> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env, NODE_NO_WARNINGS: '1' },
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
