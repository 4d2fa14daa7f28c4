/**
 * Runs chaos schedules by seed, shrinks a failure to the shortest schedule
 * that still fails (dropping steps one at a time while it keeps failing), and
 * adds up the figures of README's second reliability table.
 */
import type { DynamoFaultProxy } from '../../local/dynamo-fault-proxy';
import { describeStep, generate, MODES, type Family, type Step } from './schedule';
import { runSchedule, type RunResult, type RunStats } from './world';

export interface Failure {
  seed: number;
  /** Indexes of the generated steps kept in the shortest failing schedule. */
  kept: number[];
  steps: Step[];
  message: string;
  replay: string;
}

/** The figures of every schedule run, added up (a schedule's own are RunStats, world.ts). */
export interface ChaosReport extends Omit<RunStats, 'holds'> {
  family: Family;
  seeds: number[];
  /** Seeds run so far. */
  done: number[];
  schedules: number;
  /** Mass removals committed (each after its hold), and holds kept by the time rule alone. */
  holdsReleased: number;
  holdsKeptByTime: number;
  failures: Failure[];
  ms: number;
}

export interface ChaosOptions {
  endpoint: string;
  /** The schedule family (default: the deployed default). */
  family?: Family;
  /** One fault proxy per schedule run at once (faults are armed per proxy). */
  proxies: DynamoFaultProxy[];
  seeds: number[];
  /** Run only these step indexes of the seed's schedule (a shrunk replay). */
  only?: number[];
  shrink: boolean;
  /** Shrinking attempts at most (each is one schedule run). */
  shrinkBudget?: number;
  progress?: (line: string) => void;
  /** Called after every schedule with the figures so far (a long run interrupted still leaves its table). */
  onReport?: (report: ChaosReport) => void;
}

function add(report: ChaosReport, stats: RunStats): void {
  report.steps += stats.steps;
  report.passes += stats.passes;
  report.concurrentSteps += stats.concurrentSteps;
  report.crashes += stats.crashes;
  report.crashesNotReached += stats.crashesNotReached;
  for (const [k, v] of stats.faults) {
    const was = report.faults.get(k) ?? { armed: 0, hit: 0 };
    report.faults.set(k, { armed: was.armed + v.armed, hit: was.hit + v.hit });
  }
  for (const [k, v] of stats.mutations) report.mutations.set(k, (report.mutations.get(k) ?? 0) + v);
  for (const [k, v] of stats.thrown) report.thrown.set(k, (report.thrown.get(k) ?? 0) + v);
  report.holdsReleased += stats.holds.released;
  report.holdsKeptByTime += stats.holds.keptByTime.size;
}

const select = (all: Step[], kept: number[]) => kept.map((i) => all[i] as Step);

async function shrink(o: ChaosOptions, proxy: DynamoFaultProxy, all: Step[], kept: number[]): Promise<{ kept: number[]; result: RunResult }> {
  let best = kept;
  const family = o.family ?? 'default';
  let bestResult = await runSchedule(o.endpoint, proxy, select(all, best), family);
  let budget = o.shrinkBudget ?? 60;
  let progress = true;
  while (progress && budget > 0) {
    progress = false;
    for (let i = best.length - 1; i >= 0 && budget > 0; i--) {
      const candidate = best.filter((_, j) => j !== i);
      budget -= 1;
      const result = await runSchedule(o.endpoint, proxy, select(all, candidate), family);
      if (result.violation) {
        best = candidate;
        bestResult = result;
        progress = true;
      }
    }
  }
  return { kept: best, result: bestResult };
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const family = o.family ?? 'default';
  const report: ChaosReport = {
    family,
    seeds: o.seeds,
    done: [],
    schedules: 0,
    steps: 0,
    passes: 0,
    concurrentSteps: 0,
    crashes: 0,
    crashesNotReached: 0,
    faults: new Map(),
    mutations: new Map(),
    thrown: new Map(),
    holdsReleased: 0,
    holdsKeptByTime: 0,
    failures: [],
    ms: 0,
  };
  const queue = [...o.seeds];
  const worker = async (proxy: DynamoFaultProxy) => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) await one(proxy, seed);
  };
  const one = async (proxy: DynamoFaultProxy, seed: number) => {
    const all = generate(seed, family);
    const kept = o.only ?? all.map((_, i) => i);
    const result = await runSchedule(o.endpoint, proxy, select(all, kept), family);
    report.schedules += 1;
    report.done.push(seed);
    add(report, result.stats);
    report.ms = Date.now() - started;
    o.onReport?.(report);
    if (!result.violation) {
      o.progress?.(`seed ${seed}: ok, ${kept.length} steps, ${result.stats.passes} passes, ${result.ms} ms`);
      return;
    }
    o.progress?.(`seed ${seed}: VIOLATION at step ${result.violation.step} (${result.violation.description}): ${result.violation.message}`);
    const shrunk = o.shrink && !o.only ? await shrink(o, proxy, all, kept) : { kept, result };
    const message = shrunk.result.violation?.message ?? result.violation.message;
    const failure: Failure = {
      seed,
      kept: shrunk.kept,
      steps: select(all, shrunk.kept),
      message,
      replay: `npm run test:chaos -- ${family === 'default' ? '' : `--family ${family} `}--seed ${seed}${shrunk.kept.length === all.length ? '' : ` --steps ${shrunk.kept.join(',')}`}`,
    };
    report.failures.push(failure);
    o.progress?.(formatFailure(failure));
  };
  await Promise.all(o.proxies.map(worker));
  report.ms = Date.now() - started;
  return report;
}

export function formatFailure(f: Failure): string {
  return [
    `seed ${f.seed} fails; shortest schedule (${f.steps.length} steps):`,
    ...f.steps.map((s, i) => `  ${i + 1}. ${describeStep(s)}`),
    `  violation: ${f.message}`,
    `  replay: ${f.replay}`,
  ].join('\n');
}

export function formatFigures(r: ChaosReport): string {
  const run = r.done.length ? r.done : r.seeds;
  const contiguous = run.length > 0 && Math.max(...run) - Math.min(...run) + 1 === run.length;
  const seeds = run.length ? `${Math.min(...run)}–${Math.max(...run)}${contiguous ? '' : ` (${run.length} of them)`}` : '-';
  const faults = [...r.faults.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const armed = faults.reduce((n, [, v]) => n + v.armed, 0);
  const hits = faults.reduce((n, [, v]) => n + v.hit, 0);
  const mode = MODES[r.family];
  const rows: [string, string][] = [
    ['seeds', seeds],
    ['schedules', String(r.schedules)],
    ['steps', String(r.steps)],
    ['passes', String(r.passes)],
    ['steps with 2–4 passes at once', String(r.concurrentSteps)],
    ['SIGKILLs (real child processes)', String(r.crashes)],
    ['kills armed, point not reached', String(r.crashesNotReached)],
    ['upstream mutations', String([...r.mutations.values()].reduce((n, v) => n + v, 0))],
    ['mass removals committed after their hold (REMOVAL_HOLD_PASSES passes over REMOVAL_HOLD_MINUTES)', String(r.holdsReleased)],
    ['holds kept by the time rule alone (enough clean passes, under REMOVAL_HOLD_MINUTES)', String(r.holdsKeptByTime)],
    ['faults armed / hit (counted by the simulator, proxy or receiver that answered), by kind', `${armed} / ${hits}`],
    ...faults.map(([k, v]): [string, string] => [`&nbsp;&nbsp;${k}`, `${v.armed} / ${v.hit}`]),
    ['passes failed as a whole by a DynamoDB fault (classified)', [...r.thrown.values()].reduce((n, v) => n + v, 0) + (r.thrown.size ? ` (${[...r.thrown.entries()].map(([k, v]) => `${k} ${v}`).join(', ')})` : '')],
    ['invariant violations', String(r.failures.length)],
    ['time', `${(r.ms / 60_000).toFixed(1)} min`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const title = `\`npm run test:chaos -- --family ${r.family} --runs ${r.schedules}\` (Zilliz ${mode.zilliz}, ModelArts ${mode.huawei === 'aksk' ? 'AK/SK' : 'IAM password'}${mode.files ? ', a catalog bucket on s3rver' : ''}, the sync handler as deployed)`;
  return [`| ${title} | |`, '|---|---:|', ...rows.map(([k, v]) => `| ${k.padEnd(w)} | ${v} |`)].join('\n');
}
