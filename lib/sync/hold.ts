/**
 * The mass-removal hold, pure. A successful answer that would remove more
 * than half of a scope's regions looks exactly like an upstream glitch (a short
 * list under HTTP 200), so those removals wait until the same regions have been
 * absent from `passes` consecutive successful answers spanning at least
 * `minutes`: quick manual passes alone never confirm a mass removal (three
 * `npm run sync` runs within 24 seconds once did), and a short schedule does
 * not shorten the guard below the time a person needs to notice it.
 */
import type { RemovalHold } from '../store/items';

export interface HoldInput {
  previousCount: number;
  /** Region ids the fresh answer no longer lists. */
  removedKeys: readonly string[];
  hold: RemovalHold | undefined;
  passes: number;
  /** The least time, in minutes, from the hold's first pass to the pass that confirms it; 0 for none. */
  minutes: number;
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

/** The earliest time a pass may confirm a hold that started at `since`. */
export function confirmsAfter(since: string, minutes: number): string {
  return new Date(Date.parse(since) + minutes * 60_000).toISOString();
}

/**
 * Whether the pass at `now`, the `seen`-th consecutive one without the same
 * regions, confirms their removal: both enough passes and enough time.
 */
export function holdConfirmed(seen: number, since: string, now: string, passes: number, minutes: number): boolean {
  return seen >= passes && Date.parse(now) >= Date.parse(confirmsAfter(since, minutes));
}

export function decideHold({ previousCount, removedKeys, hold, passes, minutes, now }: HoldInput): HoldDecision {
  const removed = [...removedKeys].sort();
  if (!isMassRemoval(previousCount, removed.length)) return { commit: removed, hold: undefined, started: false };
  const same = hold !== undefined && hold.regionIds.length === removed.length && hold.regionIds.every((key, i) => key === removed[i]);
  const seen = same ? hold.passes + 1 : 1;
  const since = same ? hold.since : now;
  if (holdConfirmed(seen, since, now, passes, minutes)) return { commit: removed, hold: undefined, started: false };
  return {
    commit: [],
    // What /sources shows: the rule as it stood when this pass counted.
    hold: { regionIds: removed, passes: seen, since, passesNeeded: passes, confirmsAfter: confirmsAfter(since, minutes) },
    started: !same,
  };
}
