/**
 * `npm run bench`: every figure of issue 6 in one run. Starts its own
 * DynamoDB Local (in memory), runs the five phases one after the other,
 * prints the table, writes bench/results.json and stops every child process
 * it started, by PID. A phase that fails is reported and the others still run;
 * the exit code is 1 when a phase failed, 0 otherwise (a missed goal is a
 * figure, not a failure: the table says so).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { stop as stopEsbuild } from 'esbuild';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb';
import { GOAL_200, GOAL_304, runCatalogLoad, type CatalogLoadResult } from './catalog-load';
import { GOAL as COLD_GOAL, runColdStart, type ColdStartResult } from './cold-start';
import { runDynamoCost, type DynamoCostResult } from './dynamo-cost';
import { RSS_GOAL_MB, runScale, type ScaleResult } from './scale';
import { GOAL as SYNC_GOAL, LATENCY_MS, runSyncLatency, type SyncLatencyResult } from './sync-latency';
import { log, round } from './support';
import { BUILD_DIR } from './ipc';
import { formatTable, type Row } from './table';

const RESULTS = resolve(import.meta.dirname, 'results.json');

function machine() {
  let nproc: number | null = null;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // not on this system
  }
  let memAvailableMb: number | null = null;
  try {
    const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m?.[1]) memAvailableMb = Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    availableParallelism: availableParallelism(),
    nproc,
    memoryMb: Math.round(totalmem() / 1024 / 1024),
    freeMemoryMb: Math.round(freemem() / 1024 / 1024),
    memAvailableMb,
    node: process.version,
    platform: `${process.platform} ${release()}`,
    loadAverageAtStart: loadavg().map((n) => round(n, 2)),
  };
}

async function phase<T>(name: string, errors: Record<string, string>, run: () => Promise<T>): Promise<T | undefined> {
  const started = performance.now();
  log(`${name}…`);
  try {
    const result = await run();
    log(`${name} done in ${round((performance.now() - started) / 1000, 1)} s`);
    return result;
  } catch (error: unknown) {
    errors[name] = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`${name} FAILED: ${errors[name]}`);
    return undefined;
  }
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

const fmt = (n: number | undefined, digits = 2) => (n === undefined ? 'n/a' : String(round(n, digits)));
const kb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${round(bytes / 1024, 1)} KB`);

function rows(r: { sync?: SyncLatencyResult; cost?: DynamoCostResult; catalog?: CatalogLoadResult; cold?: ColdStartResult; scale?: ScaleResult }): Row[] {
  const { sync, cost, catalog, cold, scale } = r;
  return [
    { figure: `1. sync unchanged pass / (2 × ${LATENCY_MS} ms)`, value: fmt(sync?.ratio, 3), goal: `≤ ${SYNC_GOAL}`, met: sync?.pass },
    { figure: '   unchanged pass wall', value: sync ? `${sync.unchangedPass.wallMs} ms` : 'n/a', goal: '' },
    { figure: '   first pass wall (IAM login, 40 regions)', value: sync ? `${sync.firstPass.wallMs} ms (${sync.firstPass.ratio})` : 'n/a', goal: '' },
    {
      figure: '   unchanged: before | upstream | after (ms)',
      value: sync ? `${sync.unchangedPass.beforeUpstreamMs} | ${sync.unchangedPass.upstreamMs} | ${sync.unchangedPass.afterUpstreamMs}` : 'n/a',
      goal: '',
    },
    { figure: '2. unchanged pass: snapshot writes', value: fmt(cost?.unchangedPassSnapshotWrites, 0), goal: '0', met: cost ? cost.unchangedPassSnapshotWrites === 0 : undefined },
    { figure: '   unchanged pass: changeset + seq writes', value: fmt(cost?.unchangedPassChangesetWrites, 0), goal: '0', met: cost ? cost.unchangedPassChangesetWrites === 0 : undefined },
    { figure: '   unchanged pass: status writes / WCU', value: cost ? `${cost.small.unchangedPass.writes.status} / ${cost.small.unchangedPass.wcu}` : 'n/a', goal: 'status only' },
    {
      figure: `   one-change WCU @${cost?.oneChangeWcu.smallRegions ?? '?'} vs @${cost?.oneChangeWcu.largeRegions ?? '?'} regions`,
      value: cost ? `${cost.oneChangeWcu.small} vs ${cost.oneChangeWcu.large}` : 'n/a',
      goal: 'equal',
      met: cost?.pass.oneChangeWcuEqual,
    },
    { figure: '   one-change WCU as AWS bills it (model)', value: cost ? `${cost.oneChangeWcuModelled.small} vs ${cost.oneChangeWcuModelled.large}` : 'n/a', goal: 'equal' },
    { figure: '   first pass WCU (metered / model)', value: cost ? `${cost.small.firstPass.wcu} / ${cost.small.firstPass.modelledWcu}` : 'n/a', goal: '' },
    { figure: '3. GET /regions req/s, adapter / bare', value: fmt(catalog?.catalogThroughputRatio, 3), goal: `≥ ${GOAL_200}`, met: catalog?.pass.ok },
    {
      figure: '   req/s adapter | bare; p99 adapter | bare',
      value: catalog ? `${catalog.ok.adapter.requestsPerSecond} | ${catalog.ok.bare.requestsPerSecond}; ${catalog.ok.adapter.p99Ms} | ${catalog.ok.bare.p99Ms} ms` : 'n/a',
      goal: '',
    },
    { figure: '   304 req/s, adapter / bare', value: fmt(catalog?.catalog304ThroughputRatio, 3), goal: `≥ ${GOAL_304}`, met: catalog?.pass.notModified },
    {
      figure: '   304 req/s adapter | bare; p99 adapter | bare',
      value: catalog ? `${catalog.notModified.adapter.requestsPerSecond} | ${catalog.notModified.bare.requestsPerSecond}; ${catalog.notModified.adapter.p99Ms} | ${catalog.notModified.bare.p99Ms} ms` : 'n/a',
      goal: '',
    },
    {
      figure: '   server CPU µs/request adapter | bare (200; 304)',
      value: catalog
        ? `${catalog.ok.adapter.serverCpuUsPerRequest ?? '?'} | ${catalog.ok.bare.serverCpuUsPerRequest ?? '?'}; ${catalog.notModified.adapter.serverCpuUsPerRequest ?? '?'} | ${catalog.notModified.bare.serverCpuUsPerRequest ?? '?'}`
        : 'n/a',
      goal: '',
    },
    { figure: '4. cold start sync: import / SDK-only import', value: cold ? `${cold.sync.ratio} (${cold.sync.importMs} / ${cold.sync.baselineImportMs} ms)` : 'n/a', goal: `≤ ${COLD_GOAL}`, met: cold?.pass.sync },
    { figure: '   cold start catalog: import / SDK-only', value: cold ? `${cold.catalog.ratio} (${cold.catalog.importMs} / ${cold.catalog.baselineImportMs} ms)` : 'n/a', goal: `≤ ${COLD_GOAL}`, met: cold?.pass.catalog },
    { figure: '   bundle sync | catalog (minified)', value: cold ? `${kb(cold.bundleBytes.sync)} | ${kb(cold.bundleBytes.catalog)}` : 'n/a', goal: '' },
    {
      figure: '   … with Node\'s fetch already loaded: sync',
      value: cold ? `${cold.sync.withFetchLoaded.ratio} (${cold.sync.withFetchLoaded.importMs} ms)` : 'n/a',
      goal: '(diagnostic)',
    },
    { figure: `5. scale: regions`, value: fmt(scale?.regions, 0), goal: '' },
    { figure: '   first pass', value: scale ? `${round(scale.firstPassMs / 1000, 1)} s` : 'n/a', goal: '' },
    { figure: '   pass with 1 % changed', value: scale ? `${round(scale.onePercentPassMs / 1000, 1)} s` : 'n/a', goal: '' },
    { figure: '   unchanged pass (Zilliz rate floor)', value: scale ? `${round(scale.unchangedPassMs / 1000, 1)} s (${round(scale.unchanged.upstream.rateFloorMs / 1000, 1)} s)` : 'n/a', goal: '' },
    { figure: '   peak RSS of the pass process', value: scale ? `${scale.peakRssMb} MB` : 'n/a', goal: `≤ ${RSS_GOAL_MB} MB`, met: scale?.pass.peakRss },
    {
      figure: '   GET /regions identity | gzip | br',
      value: scale ? `${kb(scale.catalog.identity.bytes)} | ${kb(scale.catalog.gzip.bytes)} | ${kb(scale.catalog.br.bytes)}` : 'n/a',
      goal: '',
    },
    {
      figure: '   GET /regions cold load; br first | warm',
      value: scale ? `${scale.catalog.coldLoadMs} ms; ${scale.catalog.br.firstMs} | ${scale.catalog.br.warmMs} ms` : 'n/a',
      goal: '',
    },
  ];
}

async function main(): Promise<number> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const info = machine();
  log(`machine: ${info.cpuModel}, ${info.cpus} CPUs, ${info.memoryMb} MB, node ${info.node}, load ${info.loadAverageAtStart.join(' ')}`);
  const errors: Record<string, string> = {};
  let db: DynamoDbLocal | undefined;
  const results: { sync?: SyncLatencyResult; cost?: DynamoCostResult; catalog?: CatalogLoadResult; cold?: ColdStartResult; scale?: ScaleResult } = {};
  const onSignal = () => {
    void db?.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    db = await startDynamoDbLocal();
    log(`DynamoDB Local pid ${db.pid} on ${db.endpoint} (ready in ${db.readyInMs} ms)`);
    const endpoint = db.endpoint;
    results.sync = await phase('1 sync critical path', errors, () => runSyncLatency(endpoint));
    results.cost = await phase('2 DynamoDB cost', errors, () => runDynamoCost(endpoint));
    results.catalog = await phase('3 catalog throughput', errors, () => runCatalogLoad(endpoint));
    results.cold = await phase('4 cold start', errors, () => runColdStart());
    results.scale = await phase('5 scale', errors, () => runScale(endpoint));
  } finally {
    await db?.stop();
    await stopEsbuild();
    rmSync(BUILD_DIR, { recursive: true, force: true });
  }

  const { sync, cost, catalog, cold, scale } = results;
  const pass = {
    syncCriticalPath: sync?.pass ?? null,
    unchangedPassStatusOnly: cost?.pass.unchangedWritesStatusOnly ?? null,
    oneChangeWcuEqual: cost?.pass.oneChangeWcuEqual ?? null,
    catalogThroughput: catalog?.pass.ok ?? null,
    catalog304Throughput: catalog?.pass.notModified ?? null,
    coldStartSync: cold?.pass.sync ?? null,
    coldStartCatalog: cold?.pass.catalog ?? null,
    scalePeakRss: scale?.pass.peakRss ?? null,
  };
  const output = {
    syncCriticalPathRatio: sync?.ratio ?? null,
    unchangedPassSnapshotWrites: cost?.unchangedPassSnapshotWrites ?? null,
    unchangedPassChangesetWrites: cost?.unchangedPassChangesetWrites ?? null,
    oneChangeWcu: cost?.oneChangeWcu ?? null,
    catalogThroughputRatio: catalog?.catalogThroughputRatio ?? null,
    catalog304ThroughputRatio: catalog?.catalog304ThroughputRatio ?? null,
    coldStartRatio: cold?.coldStartRatio ?? null,
    bundleBytes: cold?.bundleBytes ?? null,
    scale: scale ? { regions: scale.regions, firstPassMs: scale.firstPassMs, onePercentPassMs: scale.onePercentPassMs, peakRssMb: scale.peakRssMb } : null,
    goals: {
      syncCriticalPathRatio: `<= ${SYNC_GOAL}`,
      unchangedPassSnapshotWrites: '0',
      unchangedPassChangesetWrites: '0',
      oneChangeWcu: 'equal at both sizes',
      catalogThroughputRatio: `>= ${GOAL_200}`,
      catalog304ThroughputRatio: `>= ${GOAL_304}`,
      coldStartRatio: `<= ${COLD_GOAL}`,
      scalePeakRssMb: `<= ${RSS_GOAL_MB}`,
    },
    pass,
    allGoalsMet: Object.values(pass).every((v) => v === true),
    machine: { ...info, loadAverageAtEnd: loadavg().map((n) => round(n, 2)) },
    startedAt,
    durationS: round((performance.now() - started) / 1000, 1),
    errors,
    details: results,
  };
  writeFileSync(RESULTS, `${JSON.stringify(output, null, 2)}\n`);
  process.stdout.write(`\n${formatTable(rows(results))}\n\n`);
  process.stdout.write(
    `Machine: ${info.cpuModel}, ${info.cpus} CPUs (nproc ${info.nproc ?? '?'}), ${info.memoryMb} MB, node ${info.node}; load average ${info.loadAverageAtStart.join(' ')} → ${output.machine.loadAverageAtEnd.join(' ')}\n`,
  );
  process.stdout.write(`Run took ${output.durationS} s; figures in ${RESULTS}${Object.keys(errors).length ? `; FAILED phases: ${Object.keys(errors).join(', ')}` : ''}\n`);

  for (const pid of livingChildren()) {
    let command = '';
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {
      // gone meanwhile
    }
    log(`stopping leftover child ${pid}${command ? ` (${command.slice(0, 120)})` : ''}`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  return Object.keys(errors).length ? 1 : 0;
}

process.exit(await main());
