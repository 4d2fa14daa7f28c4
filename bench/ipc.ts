/**
 * The benchmark's child processes: a bench module bundled with esbuild (so it
 * runs as built code, not through the TypeScript loader) and forked with an
 * IPC channel, and the next message it sends.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
/** The usual place for a tool's build cache: git-ignored, and externals resolve from the project's node_modules. */
export const BUILD_DIR = join(ROOT, 'node_modules', '.cache', `region-sync-bench-${process.pid}`);

export async function bundleBenchModule(entry: string, options: { minify?: boolean; external?: string[] } = {}): Promise<string> {
  mkdirSync(BUILD_DIR, { recursive: true });
  const outfile = join(BUILD_DIR, `${entry.replace(/\.ts$/, '')}.mjs`);
  await build({
    entryPoints: [join(ROOT, 'bench', entry)],
    outfile,
    bundle: true,
    minify: options.minify ?? false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: options.external ?? [],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  return outfile;
}

export function forkBundle(file: string, env: Record<string, string>): ChildProcess {
  return fork(file, [], { env: { PATH: process.env.PATH ?? '', ...env }, execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
}

export type Message = { type: string; [key: string]: unknown };

/** The next message from the child; an `error` message or an exit rejects. */
export function nextMessage<T extends Message = Message>(child: ChildProcess): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const onMessage = (message: Message) => {
      cleanup();
      if (message.type === 'error') reject(new Error(`child ${child.pid}: ${String(message.message)}`));
      else resolvePromise(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child ${child.pid} exited (${code})`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Sends `message` and waits for the answer of type `expect`. */
export async function ask<T extends Message>(child: ChildProcess, message: Message, expect: string): Promise<T> {
  const answer = nextMessage<T>(child);
  child.send(message);
  const got = await answer;
  if (got.type !== expect) throw new Error(`child ${child.pid} answered ${got.type}, expected ${expect}`);
  return got;
}

/** Asks the child to exit and waits; SIGKILL by PID if it does not within `graceMs`. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 3_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (child.connected) child.send({ type: 'exit' });
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}
