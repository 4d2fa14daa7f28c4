/**
 * Cold start: a fresh `node` loads the bundle that ships (unpacked from the
 * `serverless package` zip, bench/package.ts) and runs its first invocation,
 * against a baseline bundle built with the same esbuild options that
 * constructs the same AWS SDK clients and makes one equivalent call of each
 * kind the first invocation makes:
 * - sync (an unchanged pass, the usual case): SSM GetParameters for the
 *   secrets, one DynamoDB Query, one `fetch` to the upstream; the
 *   EventBridge client is constructed (an unchanged pass publishes nothing:
 *   checked on the receiver);
 * - catalog (`GET /regions`): one DynamoDB Query.
 * Every endpoint is local (DynamoDB Local, the simulators, the SSM and
 * PutEvents receivers), so both sides pay the same loopback calls.
 * Import + first invocation is timed inside the child (node's own start-up
 * is the same for both and left out); function and baseline run back to
 * back, RUNS times in alternating order; the ratio is the median of the
 * per-pair ratios.
 *
 * What cold adds (`coldStartOverhead`): each child then runs the same
 * invocation again, warm, in the same process; the overhead is (import +
 * first invocation) − the warm one, the function's against the baseline's,
 * median of the per-pair ratios. It leaves out the work every pass does
 * (which the scale and sync figures measure) and keeps what only a cold
 * start pays: loading the bundle, building clients, the first connection,
 * reading the secrets and the configuration.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import yaml from 'js-yaml';
import { startEventReceiver } from '../local/event-receiver';
import { simulatorEnv, startModelartsSimulator, startZillizSimulator } from '../local/simulators';
import { startSsmReceiver } from '../local/ssm-receiver';
import { apiEvent, BROWSER_HEADERS } from './api-event';
import { startCallCounter } from './call-counter';
import { type BenchContext, upstreamEnv } from './context';
import type { Packaged } from './package';
import { freshTable, log, median, REGION, round } from './support';

export const RUNS = 15;
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

/** serverless.yml's custom.esbuild as serverless-esbuild hands it to esbuild: for the baseline bundle. */
export function esbuildOptionsFromServerless(file = join(ROOT, 'serverless.yml')): { options: BuildOptions; extension: string } {
  const doc = yaml.load(readFileSync(file, 'utf8'), { schema: CFN_SCHEMA }) as { custom?: { esbuild?: Record<string, unknown> } };
  const custom = doc.custom?.esbuild;
  if (!custom) throw new Error('serverless.yml has no custom.esbuild');
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(custom)) if (!PLUGIN_KEYS.has(key)) options[key] = value;
  const exclude = Array.isArray(custom.exclude) ? (custom.exclude as string[]) : [];
  if (exclude.length) options.external = exclude;
  return { options: options as BuildOptions, extension: typeof custom.outputFileExtension === 'string' ? custom.outputFileExtension : '.js' };
}

export async function bundle(options: BuildOptions, outfile: string, entry: { file?: string; source?: string }): Promise<{ bytes: number; inputs: string[] }> {
  const result = await build({
    ...options,
    absWorkingDir: ROOT,
    ...(entry.file ? { entryPoints: [join(ROOT, entry.file)] } : { stdin: { contents: entry.source ?? '', resolveDir: ROOT, loader: 'ts', sourcefile: 'baseline.ts' } }),
    outfile,
    metafile: true,
    write: true,
    logLevel: 'silent',
  });
  return { bytes: statSync(outfile).size, inputs: Object.keys((result.metafile as Metafile).inputs) };
}

/** The SDK clients a function's bundle holds, read from what esbuild put in it. */
export function sdkClientsIn(inputs: string[]): string[] {
  const clients = new Set<string>();
  for (const input of inputs) {
    const match = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb)\//.exec(input);
    if (match?.[1]) clients.add(match[1]);
  }
  return [...clients].sort();
}

/**
 * The baseline's source: construct each client the function holds (with the
 * function's client options: endpoint and local credentials when an endpoint
 * is set), then one call per kind of call the first invocation makes.
 */
export function baselineSource(name: 'sync' | 'catalog', clients: string[]): string {
  const has = (c: string) => clients.includes(c);
  const lines = [
    "const env = process.env; const region = env.AWS_REGION; const local = { accessKeyId: 'local', secretAccessKey: 'local' };",
    'const opts = (endpoint) => ({ region, ...(endpoint ? { endpoint, credentials: local } : {}) });',
  ];
  const body: string[] = [];
  if (has('client-dynamodb')) {
    lines.unshift("import { DynamoDBClient } from '@aws-sdk/client-dynamodb';");
    lines.unshift("import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';");
    body.push('const doc = DynamoDBDocumentClient.from(new DynamoDBClient(opts(env.DYNAMODB_ENDPOINT)), { marshallOptions: { removeUndefinedValues: true } });');
  }
  if (has('client-eventbridge')) {
    lines.unshift("import { EventBridgeClient } from '@aws-sdk/client-eventbridge';");
    body.push('const events = new EventBridgeClient(opts(env.EVENTBRIDGE_ENDPOINT)); void events;');
  }
  if (has('client-ssm') && name === 'sync') {
    lines.unshift("import { SSMClient, GetParametersCommand } from '@aws-sdk/client-ssm';");
    body.push('const ssm = new SSMClient(opts(env.SSM_ENDPOINT));');
    body.push("const names = Object.keys(env).filter((k) => k.endsWith('_PARAM')).map((k) => env[k]);");
    body.push('const secrets = await ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true }));');
    body.push("const key = secrets.Parameters?.find((p) => p.Name === env.ZILLIZ_API_KEY_PARAM)?.Value ?? '';");
  }
  if (has('client-dynamodb')) {
    const pk = name === 'sync' ? 'SCOPE' : 'REGION';
    body.push(`await doc.send(new QueryCommand({ TableName: env.TABLE_NAME, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': '${pk}' } }));`);
  }
  if (name === 'sync') {
    body.push("const res = await fetch(new URL('/v1/clouds', env.ZILLIZ_BASE_URL), { headers: { authorization: `Bearer ${key}` } }); await res.text();");
  }
  return [...lines, 'export const handler = async () => {', ...body.map((l) => `  ${l}`), '  return {};', '};'].join('\n');
}

/** Loads the bundle as the Lambda runtime does (require() for .cjs), then awaits one invocation; times both. */
const INVOKE_SCRIPT = [
  "import { createRequire } from 'node:module';",
  'const file = process.env.BENCH_BUNDLE;',
  'const event = JSON.parse(process.env.BENCH_EVENT);',
  // serverless.yml's sync timeout (the catalog's is shorter, but it never comes near).
  'const deadline = Date.now() + 120000;',
  "const context = { functionName: 'bench', awsRequestId: 'bench-1', getRemainingTimeInMillis: () => deadline - Date.now(), callbackWaitsForEmptyEventLoop: false };",
  'const cpu0 = process.cpuUsage(); const t0 = performance.now();',
  "const m = file.endsWith('.cjs') ? createRequire(import.meta.url)(file) : await import('file://' + file);",
  'const t1 = performance.now();',
  'const result = await m.handler(event, context);',
  'const t2 = performance.now(); const cpu = process.cpuUsage(cpu0);',
  'const good = (r) => r && (r.statusCode === undefined ? r.ok !== false : r.statusCode === 200);',
  "if (!good(result)) { process.stderr.write('bad result: ' + JSON.stringify(result).slice(0, 300)); process.exit(3); }",
  // The same invocation again, warm: what cold adds is the difference.
  "const again = await m.handler(event, { ...context, awsRequestId: 'bench-2' });",
  'const warmMs = performance.now() - t2;',
  "if (!good(again)) { process.stderr.write('bad warm result: ' + JSON.stringify(again).slice(0, 300)); process.exit(3); }",
  // The function logs to stdout as on Lambda; the timing is the marked last line.
  "process.stdout.write('\\nBENCH_TIMING ' + JSON.stringify({ importMs: t1 - t0, invokeMs: t2 - t1, totalMs: t2 - t0, warmMs, cpuMs: (cpu.user + cpu.system) / 1000 }) + '\\n');",
  'process.exit(0);',
].join('\n');

interface Timing {
  importMs: number;
  invokeMs: number;
  totalMs: number;
  /** The same invocation again in the same process. */
  warmMs: number;
  cpuMs: number;
}

function timeRun(file: string, env: Record<string, string>, event: unknown): Promise<Timing> {
  return new Promise((resolvePromise, reject) => {
    const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, BENCH_BUNDLE: file, BENCH_EVENT: JSON.stringify(event) };
    const child = spawn(process.execPath, ['--input-type=module', '-e', INVOKE_SCRIPT], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`running ${file} failed (${code}): ${err.slice(-600)}`));
      try {
        const line = out.split('\n').findLast((l) => l.startsWith('BENCH_TIMING '));
        resolvePromise(JSON.parse(line?.slice('BENCH_TIMING '.length) ?? '') as Timing);
      } catch {
        reject(new Error(`running ${file} printed no timing: ${out.slice(-200)} ${err.slice(-300)}`));
      }
    });
  });
}

/**
 * What compiling a bundle costs V8 alone (no module evaluated): each file is
 * compiled as node wraps a CommonJS module, `COMPILE_REPS` times in one fresh
 * process, the files in turn, each time with a different trailing comment so
 * V8's in-process cache never answers; the median per file (ms).
 */
const COMPILE_REPS = 9;
const COMPILE_SCRIPT = [
  "const vm = require('node:vm'); const fs = require('node:fs');",
  'const files = JSON.parse(process.env.BENCH_FILES); const src = files.map((f) => fs.readFileSync(f, "utf8")); const ms = files.map(() => []);',
  `for (let i = 0; i < ${COMPILE_REPS}; i++) for (let j = 0; j < files.length; j++) {`,
  '  const code = "(function (exports, require, module, __filename, __dirname) {" + src[j] + "\\n/*" + i + "*/})";',
  '  const t = performance.now(); new vm.Script(code, { filename: files[j] + "#" + i }); ms[j].push(performance.now() - t);',
  '}',
  "const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];",
  "process.stdout.write(JSON.stringify(ms.map(med)));",
].join('\n');

function compileTimes(files: string[]): Promise<number[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['-e', COMPILE_SCRIPT], { env: { PATH: process.env.PATH ?? '', BENCH_FILES: JSON.stringify(files) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolvePromise((JSON.parse(out) as number[]).map((v) => round(v, 1))) : reject(new Error(`compiling failed (${code}): ${err.slice(-400)}`))));
  });
}

/**
 * Modules a function's bundle holds that its measured first invocation never
 * evaluates (loaded with `import()` on first use): the S3 client of the
 * catalog files (no CATALOG_BUCKET here), and for the catalog zod with the
 * OpenAPI document and the event schemas it generates. Built as externals
 * only to measure what compiling them costs; the shipped bundle holds them.
 */
export const LAZY_MODULES: Record<'sync' | 'catalog', string[]> = { sync: ['@aws-sdk/client-s3'], catalog: ['@aws-sdk/client-s3', 'zod'] };

export interface FunctionColdStart {
  sdkClients: string[];
  /** The function rebuilt here with serverless.yml's esbuild options (a check on the shipped bundle's size). */
  esbuildBytes: number;
  baselineBytes: number;
  /** Medians (ms). */
  totalMs: number;
  importMs: number;
  invokeMs: number;
  cpuMs: number;
  baselineTotalMs: number;
  baselineImportMs: number;
  baselineInvokeMs: number;
  baselineCpuMs: number;
  /** Median of the per-pair ratios of import + first invocation. */
  ratio: number;
  /** The same for the import alone and the invocation alone (where the difference sits). */
  importRatio: number;
  invokeRatio: number;
  /** Medians (ms) of the warm invocation and of what cold adds (import + first invocation − warm). */
  warmMs: number;
  baselineWarmMs: number;
  overheadMs: number;
  baselineOverheadMs: number;
  /** Median of the per-pair ratios of what cold adds: the `coldStartOverhead` figure. */
  overheadRatio: number;
  runs: { totalMs: number[]; baselineTotalMs: number[]; warmMs: number[]; baselineWarmMs: number[] };
  /** The calls one first invocation makes (an untimed run through a counting proxy), function and baseline. */
  calls: { function: InvocationCalls; baseline: InvocationCalls };
  /** V8 compiling the bundle alone (median ms, compileTimes): the shipped bundle, the baseline, and the bundle without LAZY_MODULES. */
  compile?: { functionMs: number; baselineMs: number; withoutLazyMs: number; withoutLazyBytes: number; lazyModules: string[] };
}

export interface InvocationCalls {
  /** DynamoDB calls by operation. */
  dynamodb: Record<string, number>;
  /** Upstream HTTP requests (Zilliz + Huawei IAM / ModelArts). */
  upstream: number;
  ssm: number;
}

const pairRatio = (a: number[], b: number[]) => round(median(a.map((x, i) => x / (b[i] ?? Number.NaN)).filter(Number.isFinite)), 3);

export async function measure(
  file: string,
  baseline: string,
  env: Record<string, string>,
  event: unknown,
  afterWarmup: () => void,
): Promise<Omit<FunctionColdStart, 'sdkClients' | 'baselineBytes' | 'esbuildBytes' | 'calls'>> {
  // One untimed run each: the file system cache is warm for both (and the sync run seeds the table).
  await timeRun(file, env, event);
  await timeRun(baseline, env, event);
  afterWarmup();
  const f: Timing[] = [];
  const b: Timing[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      f.push(await timeRun(file, env, event));
      b.push(await timeRun(baseline, env, event));
    } else {
      b.push(await timeRun(baseline, env, event));
      f.push(await timeRun(file, env, event));
    }
  }
  const med = (list: Timing[], k: keyof Timing) => round(median(list.map((t) => t[k])), 1);
  const overhead = (t: Timing) => t.totalMs - t.warmMs;
  return {
    totalMs: med(f, 'totalMs'),
    importMs: med(f, 'importMs'),
    invokeMs: med(f, 'invokeMs'),
    cpuMs: med(f, 'cpuMs'),
    baselineTotalMs: med(b, 'totalMs'),
    baselineImportMs: med(b, 'importMs'),
    baselineInvokeMs: med(b, 'invokeMs'),
    baselineCpuMs: med(b, 'cpuMs'),
    ratio: pairRatio(f.map((t) => t.totalMs), b.map((t) => t.totalMs)),
    importRatio: pairRatio(f.map((t) => t.importMs), b.map((t) => t.importMs)),
    invokeRatio: pairRatio(f.map((t) => t.invokeMs), b.map((t) => t.invokeMs)),
    warmMs: med(f, 'warmMs'),
    baselineWarmMs: med(b, 'warmMs'),
    overheadMs: round(median(f.map(overhead)), 1),
    baselineOverheadMs: round(median(b.map(overhead)), 1),
    overheadRatio: pairRatio(f.map(overhead), b.map(overhead)),
    runs: {
      totalMs: f.map((t) => round(t.totalMs, 1)),
      baselineTotalMs: b.map((t) => round(t.totalMs, 1)),
      warmMs: f.map((t) => round(t.warmMs, 1)),
      baselineWarmMs: b.map((t) => round(t.warmMs, 1)),
    },
  };
}

/** Secrets a deployment reads from SSM: the plain variable becomes `<NAME>_PARAM`. */
const SECRET_VARIABLES = ['ZILLIZ_API_KEY', 'HUAWEI_PASSWORD', 'HUAWEI_AUTH_TOKEN', 'HUAWEI_SECRET_KEY'];

export interface ColdStartDetails {
  runs: number;
  sync: FunctionColdStart;
  catalog: FunctionColdStart;
  /** PutEvents calls the function runs made (0: an unchanged pass publishes nothing). */
  syncPutEventsCalls: number;
}

export async function runColdStart(ctx: BenchContext, packaged: Packaged): Promise<{ values: Record<string, number>; details: ColdStartDetails }> {
  const { options, extension } = esbuildOptionsFromServerless();
  const outdir = mkdtempSync(join(tmpdir(), 'region-sync-cold-'));
  const table = await freshTable(ctx.endpoint);
  const zilliz = await startZillizSimulator();
  const modelarts = await startModelartsSimulator();
  const receiver = await startEventReceiver();
  // The default deployment: Zilliz in the run's upstream mode, ModelArts signed with AK/SK (the secret key from SSM).
  const plain = simulatorEnv(zilliz, modelarts, { zilliz: ctx.upstream, huawei: 'aksk' });
  const parameters: Record<string, string> = {};
  const env: Record<string, string> = {
    AWS_REGION: REGION,
    // What the Lambda runtime puts in the environment; local endpoints take their own.
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: ctx.endpoint,
    EVENT_BUS_NAME: 'region-sync-bench',
    EVENTBRIDGE_ENDPOINT: receiver.endpoint,
    CORS_ORIGINS: '*',
    ...upstreamEnv(ctx.upstream),
  };
  for (const [key, value] of Object.entries(plain)) {
    if (SECRET_VARIABLES.includes(key)) {
      const name = `/region-sync/bench/${key.toLowerCase().replaceAll('_', '-')}`;
      parameters[name] = value;
      env[`${key}_PARAM`] = name;
    } else env[key] = value;
  }
  const ssm = await startSsmReceiver({ parameters });
  env.SSM_ENDPOINT = ssm.endpoint;
  const counter = await startCallCounter(ctx.endpoint);
  try {
    let eventsAfterSeed = 0;
    const countCalls = async (file: string, event: unknown): Promise<InvocationCalls> => {
      counter.reset();
      const upstream0 = zilliz.requests.length + modelarts.requests.length;
      const ssm0 = ssm.calls;
      await timeRun(file, { ...env, DYNAMODB_ENDPOINT: counter.endpoint }, event);
      return { dynamodb: { ...counter.counts }, upstream: zilliz.requests.length + modelarts.requests.length - upstream0, ssm: ssm.calls - ssm0 };
    };
    const one = async (name: 'sync' | 'catalog', event: unknown): Promise<FunctionColdStart> => {
      const fn = await bundle(options, join(outdir, `${name}-esbuild${extension}`), { file: `functions/${name}.ts` });
      const sdkClients = sdkClientsIn(fn.inputs);
      const baselineFile = join(outdir, `${name}-sdk-only${extension}`);
      const base = await bundle(options, baselineFile, { source: baselineSource(name, sdkClients) });
      const figures = await measure(packaged[name].file, baselineFile, env, event, () => (eventsAfterSeed = receiver.events.length));
      const calls = { function: await countCalls(packaged[name].file, event), baseline: await countCalls(baselineFile, event) };
      const withoutLazyFile = join(outdir, `${name}-without-lazy${extension}`);
      const withoutLazy = await bundle({ ...options, external: [...(options.external ?? []), ...LAZY_MODULES[name]] }, withoutLazyFile, { file: `functions/${name}.ts` });
      const [functionMs = NaN, baselineMs = NaN, withoutLazyMs = NaN] = await compileTimes([packaged[name].file, baselineFile, withoutLazyFile]);
      const compile = { functionMs, baselineMs, withoutLazyMs, withoutLazyBytes: withoutLazy.bytes, lazyModules: LAZY_MODULES[name] };
      return { sdkClients, esbuildBytes: fn.bytes, baselineBytes: base.bytes, ...figures, calls, compile };
    };
    const sync = await one('sync', { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    const putEvents = receiver.events.length - eventsAfterSeed;
    const catalog = await one('catalog', apiEvent('/regions', { ...BROWSER_HEADERS }));
    log(`cold start: sync ${sync.totalMs} vs ${sync.baselineTotalMs} ms (${sync.ratio}); catalog ${catalog.totalMs} vs ${catalog.baselineTotalMs} ms (${catalog.ratio})`);
    log(`cold start, what cold adds: sync ${sync.overheadMs} vs ${sync.baselineOverheadMs} ms (${sync.overheadRatio}); catalog ${catalog.overheadMs} vs ${catalog.baselineOverheadMs} ms (${catalog.overheadRatio})`);
    return {
      values: {
        'coldStartRatio.sync': sync.ratio,
        'coldStartRatio.catalog': catalog.ratio,
        'coldStartOverhead.sync': sync.overheadRatio,
        'coldStartOverhead.catalog': catalog.overheadRatio,
      },
      details: { runs: RUNS, sync, catalog, syncPutEventsCalls: putEvents },
    };
  } finally {
    await Promise.all([zilliz.close(), modelarts.close(), receiver.close(), ssm.close(), counter.close()]);
    await table.drop();
    rmSync(outdir, { recursive: true, force: true });
  }
}
