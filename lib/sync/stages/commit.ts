/**
 * Stage 3, commit: writes the plans, and after a lost race re-reads the heads
 * and has the scopes not yet committed planned again (the planner is handed
 * in: a stage imports no other stage), so a change is recorded exactly once
 * whatever runs beside it. The warm cache learns each committed scope's new
 * version and regions from what the store returns; any doubt drops the entry.
 */
import { jitteredBackoff, sleep } from '../../core/backoff';
import { CommitConflictError, CommitThrottledError } from '../../core/errors';
import type { Logger } from '../../core/log';
import { commitPlans, ScopeConflictError, ScopeThrottledError, type CommitResult, type CommittedScope } from '../../store/commit';
import type { StoreDeps } from '../../store/deps';
import type { ErrorInfo, ScopeItem } from '../../store/items';
import type { ScopePlan, StoredRegion } from '../../store/plans';
import { loadScopeHeads } from '../../store/scope-reads';
import type { OkResult } from '../pipeline';
import { applyChanges, type SnapshotCache } from '../snapshot-cache';

/** Plans and re-plans after a lost race: the first commit and five more. */
export const COMMIT_ATTEMPTS = 6;
/** Backoff scale between re-plans (lib/core/backoff). */
const REPLAN_BACKOFF_MS = 50;

/** What the plan stage yields for one attempt. */
export interface Planned {
  plans: ScopePlan[];
  read: Map<string, readonly StoredRegion[]>;
}

export type Planner = (results: readonly OkResult[], heads: Map<string, ScopeItem>, attempt: number) => Promise<Planned>;

export interface CommitInput {
  store: StoreDeps;
  log: Logger;
  results: readonly OkResult[];
  /** The heads read before the fetch: they serve the first attempt (every write is conditioned on them). */
  heads: Map<string, ScopeItem>;
  plan: Planner;
  now: string;
  retentionDays: number;
  newId: () => string;
  snapshots?: SnapshotCache | undefined;
  /** Re-plan backoff scale; tests shorten it. */
  backoffMs?: number;
}

export interface CommitOutput {
  /** The plans committed, per scope. */
  plans: Map<string, ScopePlan>;
  sequences: number[];
  changes: number;
  /** Scopes whose answer could not be committed, with the error they report. */
  failed: Map<string, ErrorInfo>;
}

export async function commitStage(input: CommitInput): Promise<CommitOutput> {
  const { store, log, snapshots, now } = input;
  const out: CommitOutput = { plans: new Map(), sequences: [], changes: 0, failed: new Map() };
  let pending = input.results;
  let heads: Map<string, ScopeItem> | undefined = input.heads;
  for (let attempt = 1; pending.length; attempt++) {
    heads ??= await loadScopeHeads(store);
    const { plans, read } = await input.plan(pending, heads, attempt);
    try {
      const result = await commitPlans(store, plans, { now, retentionDays: input.retentionDays, newId: input.newId });
      take(out, plans, result);
      if (snapshots) remember(snapshots, plans, result.scopes, read);
      break;
    } catch (error: unknown) {
      // Any doubt about what is stored now: those scopes are read from the table next time.
      for (const plan of plans) snapshots?.drop(plan.scope);
      if (error instanceof ScopeConflictError || error instanceof ScopeThrottledError) {
        const done = new Set(take(out, plans, error.completed));
        pending = pending.filter((r) => !done.has(r.scope));
      }
      const conflict = error instanceof CommitConflictError;
      if (!conflict || attempt >= COMMIT_ATTEMPTS) {
        log.error('commit failed; the scopes keep their snapshots', { error, attempt, scopes: pending.map((r) => r.scope) });
        const code = conflict ? 'store.conflict' : error instanceof CommitThrottledError ? 'store.throttled' : 'store.commit';
        const info: ErrorInfo = { code, message: 'the snapshot could not be committed; it will be retried next pass', at: now };
        for (const r of pending) out.failed.set(r.scope, info);
        break;
      }
      log.info('commit lost to a concurrent pass; re-reading', { attempt });
      heads = undefined;
      await sleep(jitteredBackoff(attempt, { baseMs: input.backoffMs ?? REPLAN_BACKOFF_MS }));
    }
  }
  return out;
}

/** Adds what a commit (or the completed part of one) wrote; returns the scopes it completed. */
function take(out: CommitOutput, plans: readonly ScopePlan[], result: CommitResult): string[] {
  out.sequences.push(...result.sequences);
  out.changes += result.changes;
  const done = new Set(result.completedScopes);
  for (const plan of plans) if (done.has(plan.scope)) out.plans.set(plan.scope, plan);
  return result.completedScopes;
}

/** After a commit that succeeded: each scope's regions as now stored, at its new head version. */
function remember(snapshots: SnapshotCache, plans: readonly ScopePlan[], committed: ReadonlyMap<string, CommittedScope>, read: Map<string, readonly StoredRegion[]>): void {
  for (const plan of plans) {
    const entry = committed.get(plan.scope);
    const before = read.get(plan.scope);
    if (!entry || !before) snapshots.drop(plan.scope);
    else snapshots.set(plan.scope, { version: entry.version, regions: applyChanges(before, entry.changes) });
  }
}
