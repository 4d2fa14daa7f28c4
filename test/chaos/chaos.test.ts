/**
 * The short, fixed part of the chaos suite inside `npm test`: per family, a
 * few seeds chosen so that the crash points between two transactions of one
 * scope and between two PutEvents batches, and one more, are killed, with
 * mutations, upstream, EventBridge and DynamoDB faults (a cancelled
 * transaction included) and concurrent passes around them, a hold confirmed
 * on the dot of REMOVAL_HOLD_MINUTES, S3 faults in the files family, plus the seeds of
 * the bugs the long runs found, kept as regression cases. Every family runs
 * the sync handler as deployed. `npm run test:chaos -- --runs 1000` is the
 * long run of the default family.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDynamoFaultProxy, type DynamoFaultProxy } from '../../local/dynamo-fault-proxy';
import type { Family } from './schedule';
import { formatFailure, runChaos } from './suite';

/** Seed → the crash point its schedule kills (the same in every family; see schedule.ts). */
const FIXED = {
  5: 'between-transactions',
  25: 'between-batches',
  30: 'after-commit',
} as const;

/** Per family: seeds of bugs the long runs found, each kept after its fix. */
const REGRESSIONS: Record<Family, number[]> = {
  default: [
    // A scope that failed from its first pass, then succeeded, announced Source Recovered with no Source Degraded.
    14,
    // Two concurrent passes both wrote one head alone (version kept) and both announced Removals Held for one hold.
    48,
    // Three first passes at once: a failing one recorded zilliz/* after a succeeding one created the first heads, and it stayed
    // degraded. The race depends on timing (the seed passed without the fix on a quiet machine); the unit test of
    // settledPlaceholders pins the rule.
    378,
  ],
  v1: [
    // Found on v1 with passes run directly (before the families; the schedules have changed since):
    // zilliz/* stayed degraded forever after a first pass whose discovery failed.
    3,
    // A status write applied, its answer lost: a failure counted twice, Source Degraded lost.
    603,
    // A cloud whose first listing failed, then left the provider list, stayed degraded in /sources forever.
    336,
    // Model fix: a glitch answer listing exactly what a later real removal lists counts toward its hold.
    739,
    // The Source Recovered with no Source Degraded, on v1.
    15,
  ],
  password: [],
  files: [],
};

/** The crash seeds run in the default family; the others keep one each, to stay short. */
const CRASHES: Record<Family, number[]> = { default: [5, 25, 30], v1: [25], password: [30], files: [] };

/**
 * The hold's time rule (REMOVAL_HOLD_MINUTES, 30 by default) at its boundary: seed 50's mass removal meets a clean
 * pass, a second 21 minutes later (enough passes, too little time: kept), and a third exactly 30 minutes after the
 * first, which must confirm it (a `>` for `>=` in production's rule fails here; ignoring the minutes fails too).
 */
const HOLD_TIME: Record<Family, number[]> = { default: [50], v1: [], password: [], files: [] };

/**
 * The files family (a catalog bucket, S3 faults), seed → the S3 fault kinds that must hit: seed 14 meets an S3
 * outage on latest.json longer than every retry (the pass must still succeed everywhere: a files step that rethrew
 * fails here), seed 8 timeouts and writes applied whose answer was lost.
 */
const S3_HITS: Record<number, string[]> = { 14: ['error'], 8: ['timeout', 'applied-lost'] };
const S3: Record<Family, number[]> = { default: [], v1: [], password: [], files: [8, 14] };

const cases = (['default', 'v1', 'password', 'files'] as const).flatMap((family) =>
  [...CRASHES[family], ...HOLD_TIME[family], ...S3[family], ...REGRESSIONS[family]].map((seed) => ({ family, seed })),
);

let proxy: DynamoFaultProxy;
beforeAll(async () => {
  proxy = await startDynamoFaultProxy(inject('dynamoEndpoint'));
});
afterAll(() => proxy.close());

describe('chaos: fixed seeds', () => {
  it.each(cases)('$family seed $seed: every invariant holds after every step', async ({ family, seed }) => {
    const report = await runChaos({ endpoint: inject('dynamoEndpoint'), family, proxies: [proxy], seeds: [seed], shrink: false });
    expect(report.failures.map(formatFailure)).toEqual([]);
    expect(report.steps).toBeGreaterThan(0);
    if (seed in FIXED) expect(report.crashes).toBe(1);
    if (HOLD_TIME[family].includes(seed)) expect([report.holdsKeptByTime, report.holdsReleased]).toEqual([1, 1]);
    if (S3[family].includes(seed)) {
      const hits = (kind: string) => [...report.faults].filter(([label]) => label.startsWith(`S3 ${kind} `)).reduce((n, [, v]) => n + v.hit, 0);
      for (const kind of S3_HITS[seed] ?? []) expect(hits(kind), `S3 ${kind} hits`).toBeGreaterThan(0);
    }
  }, 180_000);
});
