/**
 * Stage 2, plan: for each scope whose answer differs from its head, the
 * regions to diff against (the warm cache's when they reflect the head read,
 * else the table's) and the plan of what to write. A scope read but left
 * unplanned (nothing to write) is cached as read, at its head's version.
 */
import { createLimiter } from '../../core/limit';
import type { ScopeItem } from '../../store/items';
import type { ScopePlan, StoredRegion } from '../../store/plans';
import { loadScopeRegions } from '../../store/scope-reads';
import type { StoreDeps } from '../../store/deps';
import type { OkResult } from '../pipeline';
import { answerHash, isUnchanged, planScope } from '../plan';
import type { SnapshotCache } from '../snapshot-cache';

export interface PlanInput {
  store: StoreDeps;
  results: readonly OkResult[];
  heads: Map<string, ScopeItem>;
  /** 1 for the first plan of the pass; a later attempt follows a lost race and reads every scope from the table. */
  attempt: number;
  holdPasses: number;
  /** REMOVAL_HOLD_MINUTES: the least time a held mass removal waits. */
  holdMinutes: number;
  now: string;
  newId: () => string;
  snapshots?: SnapshotCache | undefined;
}

export interface PlanOutput {
  plans: ScopePlan[];
  /** Regions planned from, per scope: what the cache is updated from once the commit is known. */
  read: Map<string, readonly StoredRegion[]>;
}

export async function planStage(input: PlanInput): Promise<PlanOutput> {
  const { store, heads, attempt, snapshots } = input;
  // Hashed once: the filter and the plan share it.
  const hashed = input.results.map((r) => ({ r, hash: answerHash(r.regions) }));
  const candidates = hashed.filter(({ r, hash }) => !isUnchanged(heads.get(r.scope), hash));
  const limit = createLimiter({ concurrency: 8, ratePerSecond: 1000 });
  if (attempt === 1) snapshots?.retain(new Set(heads.keys()));
  const read = new Map<string, readonly StoredRegion[]>();
  const planned = await Promise.all(
    candidates.map(({ r, hash }) =>
      limit(async () => {
        const head = heads.get(r.scope);
        const regions = (attempt === 1 ? known(snapshots, head, r.scope) : undefined) ?? (await loadScopeRegions(store, r.scope));
        read.set(r.scope, regions);
        return planScope({ scope: r.scope, source: r.source, regions: r.regions, state: { head, regions }, holdPasses: input.holdPasses, holdMinutes: input.holdMinutes, now: input.now, newId: input.newId, hash });
      }),
    ),
  );
  const plans = planned.filter((p): p is ScopePlan => p !== null);
  const planned_ = new Set(plans.map((p) => p.scope));
  for (const { r } of candidates) {
    const head = heads.get(r.scope);
    if (head && !planned_.has(r.scope)) snapshots?.set(r.scope, { version: head.version, regions: read.get(r.scope) ?? [] });
  }
  return { plans, read };
}

/**
 * The regions a first attempt may plan from without reading them: the cache's,
 * when they reflect the head version just read, and none for a scope with no
 * head (a scope's regions are only ever written with its head). Either way the
 * commit's conditions reject a plan built on anything else, and the retry reads
 * the table.
 */
function known(snapshots: SnapshotCache | undefined, head: ScopeItem | undefined, scope: string): readonly StoredRegion[] | undefined {
  if (!head) return [];
  return snapshots?.get(scope, head.version);
}
