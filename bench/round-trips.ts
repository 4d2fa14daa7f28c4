/**
 * Upstream round trips on the sync critical path: every upstream request is
 * delayed by L on the simulators, and a pass's figure is
 * (wall at L = 300 ms − wall at L = 0) / 300 ms, i.e. how many upstream
 * answers it waits for one after the other. Four passes:
 * - coldV2Aksk: Zilliz v2 + Huawei AK/SK, the first invocation of the real
 *   entry module in a new process (nothing cached, the table already synced);
 * - warmUnchanged: the same configuration, a warm pass with nothing to commit;
 * - warmOneChange: a warm pass that commits and publishes one change;
 * - v1Steady: Zilliz v1 (cloud list beside the known clouds' listings) with
 *   the IAM password login (token reused), steady state.
 * Goal ≤ 1.15 each. `tsx bench/round-trips.ts` prints the four figures;
 * bench/run.ts calls measureRoundTrips(). The cold child is this file run
 * with `--cold-child`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { startDynamoDbLocal } from '../local/dynamodb';
import { MODELARTS_DEFAULTS } from '../local/simulators';
import { createSyncBench, log, round, syncEnv, type SyncBench } from './support';

export const LATENCY_MS = 300;
export const GOAL = 1.15;
const WARM_RUNS = 7;
const COLD_RUNS = 5;

export interface RoundTrips {
  coldV2Aksk: number;
  warmUnchanged: number;
  warmOneChange: number;
  v1Steady: number;
}

/** v2 and the simulator's access key pair (AK/SK wins over the password settings the bench also carries). */
const V2_AKSK = { ZILLIZ_API_VERSION: 'v2', HUAWEI_ACCESS_KEY: MODELARTS_DEFAULTS.accessKey, HUAWEI_SECRET_KEY: MODELARTS_DEFAULTS.secretKey };
const figure = (at0: number, atL: number) => round((atL - at0) / LATENCY_MS, 3);

function setLatency(bench: SyncBench, ms: number): void {
  bench.zilliz.setLatency(ms);
  bench.modelarts.setLatency(ms);
}

/**
 * Runs `runs` pairs of passes, one at L = 0 and one at L, alternating (this
 * shared machine's speed drifts: a pair sees the same drift), and gives the
 * figure from the fastest wall time at each latency: load on a shared machine
 * only ever adds time, so the fastest pass is the one closest to the pass's
 * own cost (a median still moved by ±0.5 round trip between runs here).
 */
async function pairedFigure(runs: number, pass: (latencyMs: number, i: number) => Promise<number>): Promise<number> {
  const walls: Record<number, number[]> = { 0: [], [LATENCY_MS]: [] };
  for (let i = 0; i < 2 * runs; i++) {
    const latency = i % 2 === 0 ? 0 : LATENCY_MS;
    walls[latency]?.push(await pass(latency, i));
  }
  return figure(Math.min(...(walls[0] ?? [])), Math.min(...(walls[LATENCY_MS] ?? [])));
}

async function warmFigure(bench: SyncBench, before: (i: number) => void = () => undefined): Promise<number> {
  await bench.pass(); // warm: clients, token, remembered clouds
  return pairedFigure(WARM_RUNS, async (latency, i) => {
    setLatency(bench, latency);
    before(i);
    const started = performance.now();
    const summary = await bench.pass();
    const wall = performance.now() - started;
    if (!summary.ok) throw new Error(`a bench pass failed: ${JSON.stringify(summary.scopes.filter((s) => s.error))}`);
    return wall;
  });
}

/** One first invocation of functions/sync.ts in a fresh node process; its wall time in ms. */
function coldPass(env: Record<string, string>): Promise<number> {
  const tsx = fileURLToPath(new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url));
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', tsx, self, '--cold-child'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'error', NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = Number(/^cold-wall-ms (\S+)$/m.exec(out)?.[1]);
      if (code === 0 && Number.isFinite(wall)) resolve(wall);
      else reject(new Error(`cold child exited ${code}: ${out.slice(-500)}`));
    });
  });
}

async function coldFigure(bench: SyncBench): Promise<number> {
  const env = { ...syncEnv(bench), ...V2_AKSK };
  return pairedFigure(COLD_RUNS, (latency) => {
    setLatency(bench, latency);
    return coldPass(env);
  });
}

export async function measureRoundTrips(options: { endpoint?: string } = {}): Promise<RoundTrips> {
  const db = options.endpoint ? undefined : await startDynamoDbLocal();
  const endpoint = options.endpoint ?? (db as NonNullable<typeof db>).endpoint;
  try {
    let result: Omit<RoundTrips, 'v1Steady'>;
    const aksk = await createSyncBench({ endpoint, env: V2_AKSK });
    try {
      await aksk.pass(); // the table synced, as a deployed function finds it
      const coldV2Aksk = await coldFigure(aksk);
      const warmUnchanged = await warmFigure(aksk);
      const west = aksk.zilliz.data.regions.aws?.[0];
      const warmOneChange = await warmFigure(aksk, (i) => {
        if (west) west.description = `round-trips bench change ${i}`;
      });
      result = { coldV2Aksk, warmUnchanged, warmOneChange };
    } finally {
      await aksk.close();
    }
    const v1 = await createSyncBench({ endpoint, env: { ZILLIZ_API_VERSION: 'v1' } });
    try {
      await v1.pass();
      return { ...result, v1Steady: await warmFigure(v1) };
    } finally {
      await v1.close();
    }
  } finally {
    await db?.stop();
  }
}

async function coldChild(): Promise<void> {
  const { handler } = await import('../functions/sync');
  const started = performance.now();
  const summary = await handler({} as ScheduledEvent, { functionName: 'sync', awsRequestId: 'cold' } as Context);
  const wall = performance.now() - started;
  if (!summary.ok) throw new Error('the cold pass failed');
  process.stdout.write(`cold-wall-ms ${wall}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--cold-child')) {
    await coldChild();
    process.exit(0);
  }
  log(`round trips: L = ${LATENCY_MS} ms per upstream request, goal ≤ ${GOAL}`);
  const figures = await measureRoundTrips();
  for (const [name, value] of Object.entries(figures)) process.stdout.write(`${name.padEnd(14)} ${value.toFixed(3)}${value <= GOAL ? '' : '  (above the goal)'}\n`);
  process.exit(0);
}
