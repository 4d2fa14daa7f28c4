/**
 * The mass-removal hold, pure. A successful answer that would remove more
 * than half of a scope's regions looks exactly like an upstream glitch (a short
 * list under HTTP 200), so those removals wait until the same regions have been
 * absent from `passes` consecutive successful answers.
 */
import type { RemovalHold } from '../store/items';

export interface HoldInput {
  previousCount: number;
  /** Region ids the fresh answer no longer lists. */
  removedIds: readonly string[];
  hold: RemovalHold | undefined;
  passes: number;
  now: string;
}

export interface HoldDecision {
  /** Removals to commit now. */
  commit: string[];
  /** The hold to store; undefined clears it. */
  hold: RemovalHold | undefined;
  /** True when this pass starts a hold: publish `Removals Held` once. */
  started: boolean;
}

export function isMassRemoval(previousCount: number, removed: number): boolean {
  return removed > 0 && removed * 2 > previousCount;
}

export function decideHold({ previousCount, removedIds, hold, passes, now }: HoldInput): HoldDecision {
  const removed = [...removedIds].sort();
  if (!isMassRemoval(previousCount, removed.length)) return { commit: removed, hold: undefined, started: false };
  const same = hold !== undefined && hold.regionIds.length === removed.length && hold.regionIds.every((id, i) => id === removed[i]);
  const seen = same ? hold.passes + 1 : 1;
  if (seen >= passes) return { commit: removed, hold: undefined, started: false };
  return { commit: [], hold: { regionIds: removed, passes: seen, since: same ? hold.since : now }, started: !same };
}
