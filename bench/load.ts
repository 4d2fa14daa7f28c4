/**
 * Load measurements with autocannon. A comparison runs its targets in short
 * alternating slices (A B, B A, A B, …) after a warm-up, so a slow drift of
 * the machine (another process waking up) weighs on every target alike; the
 * ratio between two targets is the median of the per-slice ratios. Runs in
 * this process (`runComparison`) or in a child process with its own event
 * loop (`runComparisonInChild`).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';

export interface LoadTarget {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The status every answer must have; anything else counts as a failure. */
  expectStatus: number;
  /** The process serving this target: its CPU time per request is read from /proc (Linux). */
  pid?: number;
}

export interface ComparisonSpec {
  targets: LoadTarget[];
  connections: number;
  /** Seconds per slice, and slices per target. */
  sliceS: number;
  slices: number;
  warmupS: number;
}

export interface LoadFigures {
  requestsPerSecond: number;
  requests: number;
  /** Median over the slices of each slice's percentile (ms). */
  p50Ms: number;
  p99Ms: number;
  /** Worst slice's p99 (ms). */
  worstP99Ms: number;
  /** Answers with another status, socket errors and timeouts. */
  failures: number;
  /** Requests per second of each slice, in order. */
  slices: number[];
  /** CPU time of the serving process per answered request (µs), when /proc could be read. */
  serverCpuUsPerRequest: number | null;
}

export type ComparisonResult = Record<string, LoadFigures>;

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Slice {
  cpuMs: number | null;
  rate: number;
  requests: number;
  p50: number;
  p99: number;
  failures: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** user + system CPU time of a process (ms), from /proc/<pid>/stat; null where there is no /proc. */
function cpuMsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

function sliceOf(result: Result, expectStatus: number, cpuMs: number | null): Slice {
  const expected = result.statusCodeStats[String(expectStatus)]?.count ?? 0;
  const answered = Object.values(result.statusCodeStats).reduce((n, s) => n + s.count, 0);
  return {
    cpuMs,
    rate: expected / result.duration,
    requests: expected,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: answered - expected + result.errors + result.timeouts,
  };
}

export async function runComparison(spec: ComparisonSpec): Promise<ComparisonResult> {
  const fire = (t: LoadTarget, duration: number) =>
    autocannon({ url: t.url, headers: t.headers, connections: spec.connections, duration, timeout: 10 });
  for (const t of spec.targets) if (spec.warmupS > 0) await fire(t, spec.warmupS);
  const slices = new Map<string, Slice[]>(spec.targets.map((t) => [t.name, []]));
  for (let s = 0; s < spec.slices; s++) {
    const order = s % 2 === 0 ? spec.targets : [...spec.targets].reverse();
    for (const t of order) {
      const before = cpuMsOf(t.pid);
      const result = await fire(t, spec.sliceS);
      const after = cpuMsOf(t.pid);
      slices.get(t.name)!.push(sliceOf(result, t.expectStatus, before === null || after === null ? null : after - before));
    }
  }
  const out: ComparisonResult = {};
  for (const t of spec.targets) {
    const list = slices.get(t.name)!;
    const requests = list.reduce((n, x) => n + x.requests, 0);
    out[t.name] = {
      requestsPerSecond: Math.round(requests / (spec.slices * spec.sliceS)),
      requests,
      p50Ms: median(list.map((x) => x.p50)),
      p99Ms: median(list.map((x) => x.p99)),
      worstP99Ms: Math.max(...list.map((x) => x.p99)),
      failures: list.reduce((n, x) => n + x.failures, 0),
      slices: list.map((x) => Math.round(x.rate)),
      serverCpuUsPerRequest: list.every((x) => x.cpuMs !== null)
        ? Math.round((list.reduce((n, x) => n + (x.cpuMs ?? 0), 0) * 10_000) / Math.max(1, requests)) / 10
        : null,
    };
  }
  return out;
}

/** Median of the per-slice ratios a / b (slices taken back to back, so under the same machine load). */
export function pairedRatio(a: LoadFigures, b: LoadFigures): number {
  return median(a.slices.map((rate, i) => rate / (b.slices[i] ?? Number.NaN)).filter(Number.isFinite));
}

const CHILD = fileURLToPath(new URL('./load-child.ts', import.meta.url));

/** The same comparison from a child process with its own event loop (and so, here, its own core). */
export function runComparisonInChild(spec: ComparisonSpec): Promise<ComparisonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load child exited with ${code}: ${err.slice(-500)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as ComparisonResult);
      } catch (error) {
        reject(new Error(`load child printed no result: ${out.slice(-300)} ${err.slice(-300)}`, { cause: error }));
      }
    });
  });
}
