/**
 * `npm run bench`: every figure of bench/figures.ts in one run. Starts its own
 * DynamoDB Local (in memory), runs the sections below one after the other,
 * writes bench/results.json, regenerates BENCHMARKS.md and the README's
 * performance block from it (bench/report.ts), prints the table and stops
 * every child process it started, by PID.
 *
 * A section is one entry of SECTIONS: a name and a run function returning
 * its figures by their results.json path. A section whose module is not in
 * the tree (bench/round-trips.ts, bench/page.ts, bench/history.ts, built by
 * other issues) is reported as "not measured (module missing)"; a section
 * that fails is reported and the others still run (exit code 1). A missed
 * goal is a figure, not a failure.
 *
 * `npm run bench -- scale "cold start"` runs only the named sections and
 * writes their figures to BENCH_OUT (default: a file under the OS temp
 * directory), leaving results.json to full runs. With `--merge`, the named
 * sections' figures, details and verdicts replace theirs in results.json
 * (every other section's kept as the last run left them, bench/report.ts's
 * mergeResults), and BENCHMARKS.md and the README block are regenerated.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stop as stopEsbuild } from 'esbuild';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb';
import { runCatalogHandler } from './catalog-handler';
import { runCatalogHttp } from './catalog-load';
import { runCatalogFile } from './catalog-file';
import { runColdStart } from './cold-start';
import { runDynamoCost } from './dynamo-cost';
import { FIGURES, goalText, meets, SECTIONS, setAt, valueAt } from './figures';
import { BUILD_DIR } from './ipc';
import { packageFunctions, type Packaged } from './package';
import { mergeResults, renderTable, writeReports } from './report';
import { runScale } from './scale';
import { type BenchContext, upstreamEnv, upstreamSetting } from './context';
import { runSyncLatency } from './sync-latency';
import { runWebhooks } from './webhooks';
import { log, round } from './support';

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench', 'results.json');

export interface SectionOutput {
  /** Figures by their results.json path (bench/figures.ts). */
  values: Record<string, number>;
  details?: unknown;
}

export interface Section {
  name: string;
  run(ctx: BenchContext): Promise<SectionOutput>;
}

/** Thrown by a section whose module is not in the tree yet. */
class ModuleMissing extends Error {
  override name = 'ModuleMissing';
}

/**
 * A section built by another issue, loaded with import() so the runner works
 * before and after it exists. The module's function gets the context (it may
 * ignore it); its result's named keys become the figures under `prefix`.
 */
function external(name: string, file: string, fn: string, prefix: string, keys: string[]): Section {
  return {
    name,
    async run(ctx) {
      const path = join(ROOT, 'bench', file);
      if (!existsSync(path)) throw new ModuleMissing(`bench/${file} is not in the tree`);
      const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      const measure = mod[fn];
      if (typeof measure !== 'function') throw new Error(`bench/${file} exports no ${fn}()`);
      const result = (await (measure as (c: BenchContext) => Promise<Record<string, unknown>>)(ctx)) ?? {};
      const values: Record<string, number> = {};
      for (const key of keys) {
        const v = result[key];
        if (typeof v === 'number' && Number.isFinite(v)) values[`${prefix}.${key}`] = v;
      }
      return { values, details: result };
    },
  };
}

const packaged = (ctx: BenchContext) =>
  ctx.memo<Packaged>('package', async () => {
    const p = await packageFunctions();
    ctx.onCleanup(async () => rmSync(p.dir, { recursive: true, force: true }));
    return p;
  });

export const SECTION_LIST: Section[] = [
  {
    name: SECTIONS.cost,
    async run(ctx) {
      const r = await runDynamoCost(ctx.endpoint, upstreamEnv(ctx.upstream));
      const growth = Math.max(r.oneChangeWcu.large - r.oneChangeWcu.small, r.oneChangeWcuModelled.large - r.oneChangeWcuModelled.small);
      return { values: { 'dynamoCost.unchangedSnapshotWrites': r.unchangedPassSnapshotWrites + r.unchangedPassChangesetWrites, 'dynamoCost.oneChangeWcuGrowth': growth }, details: r };
    },
  },
  { name: SECTIONS.sync, run: (ctx) => runSyncLatency(ctx) },
  { name: SECTIONS.scale, run: (ctx) => runScale(ctx) },
  { name: SECTIONS.catalogHandler, run: (ctx) => runCatalogHandler(ctx) },
  { name: SECTIONS.catalogHttp, run: (ctx) => runCatalogHttp(ctx) },
  {
    name: SECTIONS.package,
    async run(ctx) {
      const p = await packaged(ctx);
      return {
        values: { 'bundleBytes.sync': p.sync.bundleBytes, 'bundleBytes.catalog': p.catalog.bundleBytes, 'zipBytes.sync': p.sync.zipBytes, 'zipBytes.catalog': p.catalog.zipBytes },
        details: { sync: { ...p.sync, file: undefined }, catalog: { ...p.catalog, file: undefined }, seconds: p.seconds },
      };
    },
  },
  { name: SECTIONS.coldStart, run: async (ctx) => runColdStart(ctx, await packaged(ctx)) },
  external(SECTIONS.roundTrips, 'round-trips.ts', 'measureRoundTrips', 'roundTrips', ['coldV2Aksk', 'warmUnchanged', 'warmOneChange', 'v1Steady']),
  external(SECTIONS.page, 'page.ts', 'measurePage', 'page', ['sampleBrBytes', 'largeBrBytes', 'sampleHtmlBytes', 'largeHtmlBytes']),
  external(SECTIONS.history, 'history.ts', 'measureHistory', 'history', ['regions', 'atMs', 'historyMs', 'currentMs', 'atRatio', 'historyRatio']),
  { name: SECTIONS.catalogFile, run: (ctx) => runCatalogFile(ctx) },
  { name: SECTIONS.webhooks, run: (ctx) => runWebhooks(ctx) },
];

function git(args: string[]): string {
  try {
    // Not trimmed: porcelain lines start with a status column that may be a space.
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  } catch {
    return '';
  }
}

/** HEAD, with "-dirty" when tracked code differs from it (the files this run writes do not count). */
export function commitId(): string {
  const head = git(['rev-parse', 'HEAD']).trim() || 'unknown';
  const outputs = new Set(['bench/results.json', 'BENCHMARKS.md', 'README.md']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no'])
    .split('\n')
    .filter(Boolean)
    .some((line) => !outputs.has(line.slice(3)));
  return dirty ? `${head}-dirty` : head;
}

function machine() {
  return {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memoryMb: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${process.platform} ${release()}`,
    loadAverageAtStart: loadavg().map((n) => round(n, 2)),
  };
}

/** Children of this process still running (from /proc; zombies left out), to be stopped by PID. */
function livingChildren(): number[] {
  try {
    const tasks = execFileSync('sh', ['-c', `cat /proc/${process.pid}/task/*/children 2>/dev/null`], { encoding: 'utf8' });
    return tasks
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

interface SectionRecord {
  name: string;
  status: 'ok' | 'failed' | 'missing';
  seconds: number;
  error?: string;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const merge = args.includes('--merge');
  const only = args.filter((a) => a !== '--merge');
  if (merge && only.length === 0) {
    process.stderr.write('--merge needs the sections to run, by name\n');
    return 2;
  }
  const unknown = only.filter((name) => !SECTION_LIST.some((s) => s.name === name));
  if (unknown.length) {
    process.stderr.write(`unknown section(s): ${unknown.join(', ')}; sections: ${SECTION_LIST.map((s) => JSON.stringify(s.name)).join(', ')}\n`);
    return 2;
  }
  const chosen = only.length ? SECTION_LIST.filter((s) => only.includes(s.name)) : SECTION_LIST;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const info = machine();
  const commit = commitId();
  const upstream = upstreamSetting(process.env);
  log(`commit ${commit}; machine: ${info.model}, ${info.cpus} CPUs, ${info.memoryMb} MB, node ${info.node}, load ${info.loadAverageAtStart.join(' ')}; upstream ${upstream}`);

  let db: DynamoDbLocal | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  const onSignal = () => {
    void db?.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const output: Record<string, unknown> = { commit, machine: info, startedAt, upstream };
  const sections: SectionRecord[] = [];
  const details: Record<string, unknown> = {};
  try {
    db = await startDynamoDbLocal();
    log(`DynamoDB Local pid ${db.pid} on ${db.endpoint} (ready in ${db.readyInMs} ms)`);
    const memos = new Map<string, Promise<unknown>>();
    const ctx: BenchContext = {
      endpoint: db.endpoint,
      upstream,
      memo: <T>(key: string, make: () => Promise<T>) => {
        if (!memos.has(key)) memos.set(key, make());
        return memos.get(key) as Promise<T>;
      },
      onCleanup: (fn) => cleanups.push(fn),
    };
    for (const section of chosen) {
      const t0 = performance.now();
      log(`${section.name}…`);
      try {
        const out = await section.run(ctx);
        for (const [path, value] of Object.entries(out.values)) setAt(output, path, value);
        details[section.name] = out.details ?? null;
        sections.push({ name: section.name, status: 'ok', seconds: round((performance.now() - t0) / 1000, 1) });
        log(`${section.name} done in ${round((performance.now() - t0) / 1000, 1)} s`);
      } catch (error: unknown) {
        const missing = error instanceof ModuleMissing;
        const message = error instanceof Error ? (missing ? error.message : (error.stack ?? error.message)) : String(error);
        sections.push({ name: section.name, status: missing ? 'missing' : 'failed', seconds: round((performance.now() - t0) / 1000, 1), error: message });
        log(`${section.name} ${missing ? 'not measured (module missing)' : `FAILED: ${message}`}`);
      }
    }
  } finally {
    for (const fn of cleanups.reverse()) await fn().catch((e: unknown) => log(`cleanup failed: ${String(e)}`));
    await db?.stop();
    await stopEsbuild();
    rmSync(BUILD_DIR, { recursive: true, force: true });
  }

  // Every figure of the chosen sections has a value or an explicit null; goals and verdicts beside them.
  const goals: Record<string, string> = {};
  const met: Record<string, boolean | null> = {};
  for (const f of FIGURES) {
    if (!chosen.some((s) => s.name === f.section)) continue;
    const value = valueAt(output, f.path);
    if (typeof value !== 'number') setAt(output, f.path, null);
    if (f.goal) {
      goals[f.path] = goalText(f.goal);
      met[f.path] = typeof value === 'number' ? meets(value, f.goal) : null;
    }
  }
  output.goals = goals;
  output.met = met;
  output.allGoalsMet = Object.values(met).every((v) => v === true);
  (output.machine as Record<string, unknown>).loadAverageAtEnd = loadavg().map((n) => round(n, 2));
  output.durationS = round((performance.now() - started) / 1000, 1);
  output.sections = sections;
  output.details = details;

  const full = chosen.length === SECTION_LIST.length;
  const out = full ? RESULTS : (process.env.BENCH_OUT ?? join(tmpdir(), 'region-sync-bench-partial.json'));
  writeFileSync(out, `${JSON.stringify(output, null, 2)}\n`);
  if (full) writeReports(output);
  else if (merge) {
    const merged = mergeResults(JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>, output, chosen.map((s) => s.name));
    writeFileSync(RESULTS, `${JSON.stringify(merged, null, 2)}\n`);
    writeReports(merged);
  }
  process.stdout.write(`\n${renderTable(output, { markdown: false, sections: chosen.map((s) => s.name) })}\n\n`);
  const failed = sections.filter((s) => s.status === 'failed');
  process.stdout.write(
    `commit ${commit}; ${info.model}, ${info.cpus} CPUs, node ${info.node}; load ${info.loadAverageAtStart.join(' ')} → ${(output.machine as { loadAverageAtEnd: number[] }).loadAverageAtEnd.join(' ')}\n` +
      `Run took ${String(output.durationS)} s; figures in ${out}${full ? ', BENCHMARKS.md and the README block regenerated' : merge ? '' : ' (partial run: results.json untouched)'}` +
      `${merge ? '; merged into results.json, BENCHMARKS.md and the README block regenerated' : ''}` +
      `${failed.length ? `; FAILED: ${failed.map((s) => s.name).join(', ')}` : ''}\n`,
  );

  for (const pid of livingChildren()) {
    log(`stopping leftover child ${pid}`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  return failed.length ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exit(await main());
