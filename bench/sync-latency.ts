/**
 * The sync critical path (issue 6's figure): every upstream answer takes
 * L = 300 ms, and the limit is two round trips, 2 × L (v1 and the IAM
 * password login: cloud list then regions, token then regions). Three warm
 * unchanged passes and three warm passes that each commit and publish one
 * change, in turn; the median of each kind is the figure (not the best).
 * The split into before / upstream / after says where any excess goes. The
 * round-trip figures of issue 10 (bench/round-trips.ts) measure the same
 * path against the round trips each mode needs.
 */
import type { PassSummary } from '../lib/sync/pass';
import { type BenchContext, upstreamEnv } from './context';
import { createSyncBench, log, round, sampleWithClouds, type SyncBench } from './support';

export const LATENCY_MS = 300;
const RUNS = 3;

export interface PassTiming {
  wallMs: number;
  ratio: number;
  /** First upstream request to last upstream answer (arrival of the last request + L). */
  upstreamMs: number;
  /** Upstream requests made, and the gap between the first and the last regions request (rate spacing). */
  upstreamRequests: number;
  regionsRequestSpreadMs: number;
  /** DynamoDB time before the first upstream request (scope heads) and after the last answer. */
  beforeUpstreamMs: number;
  afterUpstreamMs: number;
  ok: boolean;
  changes: number;
  /** The SDK calls that started after the last upstream answer, by command: how many, and their summed duration (ms). */
  callsAfterUpstream: Record<string, { calls: number; ms: number }>;
}

export interface SyncLatencyResult {
  latencyMs: number;
  clouds: number;
  regions: number;
  runs: number;
  firstPass: PassTiming;
  /** The median pass of each kind (by wall time). */
  unchangedPass: PassTiming;
  oneChangePass: PassTiming;
  unchanged: PassTiming[];
  oneChange: PassTiming[];
}

async function timedPass(bench: SyncBench): Promise<PassTiming> {
  bench.zilliz.requests.length = 0;
  bench.modelarts.requests.length = 0;
  bench.timeline.reset();
  const startedAt = Date.now();
  const started = performance.now();
  const summary: PassSummary = await bench.pass();
  const wallMs = performance.now() - started;
  const endedAt = startedAt + wallMs;
  const requests = [...bench.zilliz.requests, ...bench.modelarts.requests].sort((a, b) => a.at - b.at);
  const first = requests[0]?.at ?? startedAt;
  const last = requests.at(-1)?.at ?? startedAt;
  const regionCalls = bench.zilliz.requests.filter((r) => r.path.endsWith('/regions')).map((r) => r.at);
  // Timeline spans are relative to its reset, just before the pass started.
  const lastAnswer = last + LATENCY_MS - startedAt + (started - bench.timeline.origin);
  const callsAfterUpstream: PassTiming['callsAfterUpstream'] = {};
  for (const span of bench.timeline.spans) {
    if (span.start < lastAnswer - 1) continue;
    const c = (callsAfterUpstream[span.command.replace(/Command\d*$/, '')] ??= { calls: 0, ms: 0 });
    c.calls++;
    c.ms = round(c.ms + span.end - span.start, 1);
  }
  return {
    wallMs: round(wallMs, 1),
    ratio: round(wallMs / (2 * LATENCY_MS), 3),
    upstreamMs: round(last + LATENCY_MS - first, 1),
    upstreamRequests: requests.length,
    regionsRequestSpreadMs: regionCalls.length ? Math.max(...regionCalls) - Math.min(...regionCalls) : 0,
    beforeUpstreamMs: round(first - startedAt, 1),
    afterUpstreamMs: round(Math.max(0, endedAt - (last + LATENCY_MS)), 1),
    ok: summary.ok,
    changes: summary.changes,
    callsAfterUpstream,
  };
}

export async function runSyncLatency(ctx: BenchContext): Promise<{ values: Record<string, number>; details: SyncLatencyResult }> {
  // The sample's 3 clouds plus 5 more of 3 regions each: 8 Zilliz clouds, default sources.
  const data = sampleWithClouds(5, 3);
  const clouds = data.clouds.length;
  const bench = await createSyncBench({ endpoint: ctx.endpoint, zilliz: data, latencyMs: LATENCY_MS, env: upstreamEnv(ctx.upstream) });
  const unchanged: PassTiming[] = [];
  const oneChange: PassTiming[] = [];
  let firstPass: PassTiming;
  let regions: number;
  try {
    firstPass = await timedPass(bench);
    if (!firstPass.ok) throw new Error('sync-latency: the first pass failed a scope');
    // Warm passes in turn: unchanged, then one region changed (a pass that commits and publishes).
    for (let i = 0; i < RUNS; i++) {
      unchanged.push(await timedPass(bench));
      const region = bench.zilliz.data.regions.x00?.[0];
      if (!region) throw new Error('sync-latency: no x00 region to change');
      region.description = `changed by the benchmark #${i}`;
      const changed = await timedPass(bench);
      if (changed.changes !== 1) throw new Error(`sync-latency: expected one change, got ${changed.changes}`);
      oneChange.push(changed);
    }
    regions = (await bench.pass()).scopes.reduce((n, s) => n + s.regions, 0);
  } finally {
    await bench.close();
  }
  const mid = (list: PassTiming[]) => [...list].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(list.length / 2)]!;
  const unchangedPass = mid(unchanged);
  const oneChangePass = mid(oneChange);
  log(`sync critical path: first ${firstPass.wallMs} ms, unchanged ${unchangedPass.wallMs} ms (${unchangedPass.ratio}), one change ${oneChangePass.wallMs} ms (${oneChangePass.ratio})`);
  return {
    values: { 'syncCriticalPath.unchangedRatio': unchangedPass.ratio, 'syncCriticalPath.oneChangeRatio': oneChangePass.ratio },
    details: { latencyMs: LATENCY_MS, clouds, regions, runs: RUNS, firstPass, unchangedPass, oneChangePass, unchanged, oneChange },
  };
}
