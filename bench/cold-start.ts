/**
 * Figure 4, cold start: each function bundled as serverless.yml's
 * custom.esbuild says (serverless-esbuild passes those options to esbuild),
 * its minified size, and the time a fresh `node` takes to import it, against
 * a bundle built the same way that only imports and instantiates the AWS SDK
 * clients the function needs. The import is timed inside the child (node's
 * own start-up is the same for both and left out). Function and baseline are
 * imported back to back, RUNS times in alternating order; the ratio is the
 * median of the per-pair ratios (this machine's speed jumps by a third when
 * its other vCPU is busy, and a pair shares the state it ran in). Importing
 * does no network I/O: the settings point at placeholders and the clients
 * are only constructed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import yaml from 'js-yaml';
import { log, median, round } from './support';

export const GOAL = 1.5;
const RUNS = 15;
const ROOT = resolve(import.meta.dirname, '..');

/** serverless.yml uses CloudFormation short tags (!Ref, !GetAtt, …): read them as plain values. */
const TAGS = ['Ref', 'GetAtt', 'Sub', 'Join', 'If', 'Not', 'Equals', 'And', 'Or', 'Condition', 'Select', 'Split', 'FindInMap', 'Base64', 'Cidr', 'GetAZs', 'ImportValue', 'Transform'];
const CFN_SCHEMA = yaml.DEFAULT_SCHEMA.extend(
  TAGS.flatMap((tag) =>
    (['scalar', 'sequence', 'mapping'] as const).map((kind) => new yaml.Type(`!${tag}`, { kind, construct: (data: unknown) => ({ [tag]: data }) })),
  ),
);

/** Keys of custom.esbuild that serverless-esbuild handles itself rather than passing to esbuild. */
const PLUGIN_KEYS = new Set([
  'exclude', 'packager', 'packagerOptions', 'packagePath', 'outputFileExtension', 'nativeZip', 'keepOutputDirectory', 'installExtraArgs',
  'watch', 'concurrency', 'zipConcurrency', 'disableIncremental', 'outputWorkFolder', 'outputBuildFolder', 'skipBuild', 'skipRebuild',
  'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'config', 'plugins',
]);

export function esbuildOptionsFromServerless(file = join(ROOT, 'serverless.yml')): { options: BuildOptions; extension: string } {
  const doc = yaml.load(readFileSync(file, 'utf8'), { schema: CFN_SCHEMA }) as { custom?: { esbuild?: Record<string, unknown> } };
  const custom = doc.custom?.esbuild;
  if (!custom) throw new Error('serverless.yml has no custom.esbuild');
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(custom)) if (!PLUGIN_KEYS.has(key)) options[key] = value;
  // `exclude` lists packages left out of the bundle: esbuild externals.
  const exclude = Array.isArray(custom.exclude) ? (custom.exclude as string[]) : [];
  if (exclude.length) options.external = exclude;
  return { options: options as BuildOptions, extension: typeof custom.outputFileExtension === 'string' ? custom.outputFileExtension : '.js' };
}

interface Built {
  file: string;
  bytes: number;
  inputs: string[];
}

async function bundle(options: BuildOptions, extension: string, outdir: string, name: string, entry: { file?: string; source?: string }): Promise<Built> {
  const result = await build({
    ...options,
    // serverless-esbuild builds from the service directory: relative `alias` paths resolve from there.
    absWorkingDir: ROOT,
    ...(entry.file ? { entryPoints: { [name]: join(ROOT, entry.file) } } : { stdin: { contents: entry.source ?? '', resolveDir: ROOT, loader: 'ts', sourcefile: `${name}.ts` }, outfile: join(outdir, `${name}${extension}`) }),
    ...(entry.file ? { outdir, outExtension: { '.js': extension } } : {}),
    metafile: true,
    write: true,
    logLevel: 'silent',
  });
  const file = join(outdir, `${name}${extension}`);
  return { file, bytes: statSync(file).size, inputs: Object.keys((result.metafile as Metafile).inputs) };
}

/** The clients a function's bundle holds, read from what esbuild put in it. */
function sdkClientsIn(inputs: string[]): string[] {
  const clients = new Set<string>();
  for (const input of inputs) {
    const match = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb)\//.exec(input);
    if (match?.[1]) clients.add(match[1]);
  }
  return [...clients].sort();
}

const CLIENT_SOURCE: Record<string, { imports: string; construct: string }> = {
  'client-dynamodb': { imports: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", construct: '' },
  'lib-dynamodb': {
    imports: "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    construct: 'export const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region }), { marshallOptions: { removeUndefinedValues: true } });',
  },
  'client-eventbridge': { imports: "import { EventBridgeClient } from '@aws-sdk/client-eventbridge';", construct: 'export const events = new EventBridgeClient({ region });' },
  'client-ssm': { imports: "import { SSMClient } from '@aws-sdk/client-ssm';", construct: 'export const ssm = new SSMClient({ region });' },
};

function baselineSource(clients: string[]): string {
  const parts = clients.map((c) => CLIENT_SOURCE[c]).filter((p) => p !== undefined);
  return [
    ...parts.map((p) => p.imports),
    'const region = process.env.AWS_REGION;',
    ...parts.map((p) => p.construct).filter(Boolean),
    'export const handler = async () => ({});',
  ].join('\n');
}

/** What a deployed function's environment holds (serverless.yml), pointed at placeholders: nothing is contacted. */
const ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'region-sync-bench',
  EVENT_BUS_NAME: 'region-sync-bench',
  EVENT_SOURCE: 'region-sync',
  SOURCES: 'zilliz,modelarts',
  ZILLIZ_BASE_URL: 'https://controller.api.gcp-us-west1.zillizcloud.com',
  ZILLIZ_API_KEY_PARAM: '/region-sync/bench/zilliz-api-key',
  MODELARTS_ENDPOINT: 'https://modelarts.ap-southeast-1.myhuaweicloud.com',
  HUAWEI_IAM_ENDPOINT: 'https://iam.myhuaweicloud.com',
  HUAWEI_PROJECT_ID: '0123456789abcdef0123456789abcdef',
  HUAWEI_DOMAIN_NAME: 'bench',
  HUAWEI_USERNAME: 'bench',
  HUAWEI_PASSWORD_PARAM: '/region-sync/bench/huawei-password',
  CORS_ORIGINS: '*',
};

/**
 * Loads the bundle the way the Lambda runtime does: require() for CommonJS
 * (.cjs), import() for ES modules. Only the load is timed; CPU time beside it.
 */
const IMPORT_SCRIPT = [
  "import { createRequire } from 'node:module';",
  'const file = process.env.BENCH_BUNDLE;',
  // Diagnostic: Node's fetch (undici, loaded lazily on first use of globalThis.fetch) initialised before the clock starts.
  "if (process.env.BENCH_PREWARM_FETCH === '1') { globalThis.fetch; globalThis.Headers; }",
  'const cpu0 = process.cpuUsage(); const t0 = performance.now();',
  "const m = file.endsWith('.cjs') ? createRequire(import.meta.url)(file) : await import('file://' + file);",
  'const ms = performance.now() - t0; const cpu = process.cpuUsage(cpu0);',
  "if (typeof m.handler !== 'function') throw new Error('no handler');",
  'process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000 }));',
].join('\n');

interface ImportTiming {
  importMs: number;
  cpuMs: number;
  processMs: number;
}

function timeImport(file: string, prewarmFetch = false): Promise<ImportTiming> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...ENV, BENCH_BUNDLE: file, BENCH_PREWARM_FETCH: prewarmFetch ? '1' : '0' };
    const child = spawn(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const processMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`importing ${file} failed (${code}): ${err.slice(-400)}`));
      const { ms, cpuMs } = JSON.parse(out) as { ms: number; cpuMs: number };
      resolvePromise({ importMs: ms, cpuMs, processMs });
    });
  });
}

export interface FunctionColdStart {
  bundleBytes: number;
  baselineBytes: number;
  sdkClients: string[];
  importMs: number;
  baselineImportMs: number;
  /** CPU time of the load (user + system, all threads), medians: steadier than wall time on a busy machine. */
  importCpuMs: number;
  baselineImportCpuMs: number;
  cpuRatio: number;
  /** Whole `node` process, start to exit (node's own start-up included), medians. */
  processMs: number;
  baselineProcessMs: number;
  /** Median of the per-pair ratios import / baseline import. */
  ratio: number;
  /** Ratio of the medians, for comparison. */
  ratioOfMedians: number;
  runs: { importMs: number[]; baselineImportMs: number[] };
  /** Diagnostic: the function's import with Node's fetch already initialised (what undici's lazy load costs it). */
  withFetchLoaded: { importMs: number; ratio: number };
}

export interface ColdStartResult {
  esbuild: BuildOptions;
  sync: FunctionColdStart;
  catalog: FunctionColdStart;
  coldStartRatio: { sync: number; catalog: number };
  bundleBytes: { sync: number; catalog: number };
  goal: number;
  pass: { sync: boolean; catalog: boolean };
}

async function measureFunction(options: BuildOptions, extension: string, outdir: string, name: 'sync' | 'catalog'): Promise<FunctionColdStart> {
  const fn = await bundle(options, extension, outdir, name, { file: `functions/${name}.ts` });
  const sdkClients = sdkClientsIn(fn.inputs);
  const base = await bundle(options, extension, outdir, `${name}-sdk-only`, { source: baselineSource(sdkClients) });
  const all = [fn, base];
  // One untimed import each: the file system cache is warm for all.
  for (const built of all) await timeImport(built.file);
  const times = new Map<Built, ImportTiming[]>(all.map((b) => [b, []]));
  const warmFetch: ImportTiming[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Alternating order, so a drift of the machine weighs on all alike.
    for (const built of i % 2 === 0 ? all : [...all].reverse()) times.get(built)!.push(await timeImport(built.file));
    warmFetch.push(await timeImport(fn.file, true));
  }
  const f = times.get(fn)!;
  const b = times.get(base)!;
  const importMs = median(f.map((r) => r.importMs));
  const baselineImportMs = median(b.map((r) => r.importMs));
  return {
    bundleBytes: fn.bytes,
    baselineBytes: base.bytes,
    sdkClients,
    importMs: round(importMs, 1),
    baselineImportMs: round(baselineImportMs, 1),
    importCpuMs: round(median(f.map((r) => r.cpuMs)), 1),
    baselineImportCpuMs: round(median(b.map((r) => r.cpuMs)), 1),
    cpuRatio: round(median(f.map((r) => r.cpuMs)) / median(b.map((r) => r.cpuMs)), 3),
    processMs: round(median(f.map((r) => r.processMs)), 1),
    baselineProcessMs: round(median(b.map((r) => r.processMs)), 1),
    ratio: round(median(f.map((r, i) => r.importMs / (b[i]?.importMs ?? Number.NaN)).filter(Number.isFinite)), 3),
    ratioOfMedians: round(importMs / baselineImportMs, 3),
    runs: { importMs: f.map((r) => round(r.importMs, 1)), baselineImportMs: b.map((r) => round(r.importMs, 1)) },
    withFetchLoaded: {
      importMs: round(median(warmFetch.map((r) => r.importMs)), 1),
      ratio: round(median(warmFetch.map((r, i) => r.importMs / (b[i]?.importMs ?? Number.NaN)).filter(Number.isFinite)), 3),
    },
  };
}

export async function runColdStart(): Promise<ColdStartResult> {
  const { options, extension } = esbuildOptionsFromServerless();
  const outdir = mkdtempSync(join(tmpdir(), 'region-sync-bench-'));
  try {
    const sync = await measureFunction(options, extension, outdir, 'sync');
    const catalog = await measureFunction(options, extension, outdir, 'catalog');
    log(`cold start: sync ${sync.bundleBytes} B, import ${sync.importMs} ms vs ${sync.baselineImportMs} ms (${sync.ratio}); catalog ${catalog.bundleBytes} B, ${catalog.importMs} vs ${catalog.baselineImportMs} ms (${catalog.ratio})`);
    return {
      esbuild: options,
      sync,
      catalog,
      coldStartRatio: { sync: sync.ratio, catalog: catalog.ratio },
      bundleBytes: { sync: sync.bundleBytes, catalog: catalog.bundleBytes },
      goal: GOAL,
      pass: { sync: sync.ratio <= GOAL, catalog: catalog.ratio <= GOAL },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
