/**
 * The warm sync function's copy of each scope's stored regions, kept across
 * passes in the handler's process so a pass with few changes does not re-read
 * every changed scope from DynamoDB to diff it.
 *
 * An entry is keyed by the scope head version it reflects. Every commit that
 * writes a scope's regions moves that scope's head version to the commit's SEQ
 * (monotonic, never reused), so when the head read this pass carries the same
 * version, no commit has written the scope since and the entry is exactly its
 * regions. An entry read after its head (the two reads are not atomic) can only
 * be newer than its key, and then no later head can match it: it is never used.
 * Whatever else goes wrong, the commit's own conditions (head version, each
 * region's seq) still reject a plan built on a wrong entry, and the caller
 * drops the entry and re-reads.
 *
 * Each change's SEQ comes from the commit itself (lib/store/commit returns it
 * per scope), so nothing here re-packs the plans. The pure part (applying
 * committed changes) is exported for tests; the cache object is plain memory
 * with no I/O.
 */
import type { CommittedChange } from '../store/commit';
import type { StoredRegion } from '../store/plans';

export type { CommittedChange };

export interface ScopeSnapshot {
  /** The scope head version these regions are the state of. */
  version: number;
  regions: readonly StoredRegion[];
}

/** Pure: the stored regions after the committed changes (added and changed put with their seq, removed deleted). */
export function applyChanges(regions: readonly StoredRegion[], committed: readonly CommittedChange[]): StoredRegion[] {
  const byKey = new Map(regions.map((r) => [r.region.id, r]));
  for (const { change, seq } of committed) {
    if (change.type === 'region.removed') byKey.delete(change.regionKey);
    // As DynamoDB gives it back: the stored body is the JSON of `after`.
    else if (change.after) byKey.set(change.regionKey, { region: JSON.parse(JSON.stringify(change.after)) as StoredRegion['region'], seq });
  }
  return [...byKey.values()];
}

export interface SnapshotCache {
  /** The scope's regions when the entry reflects `version` (the head version read this pass); undefined otherwise. */
  get(scope: string, version: number): readonly StoredRegion[] | undefined;
  set(scope: string, snapshot: ScopeSnapshot): void;
  drop(scope: string): void;
  /** Keeps only the scopes named (the scopes that still have a head). */
  retain(scopes: ReadonlySet<string>): void;
  /** Regions held, over every scope. */
  regionCount(): number;
}

export function createSnapshotCache(): SnapshotCache {
  const entries = new Map<string, ScopeSnapshot>();
  return {
    get(scope, version) {
      const entry = entries.get(scope);
      return entry && entry.version === version ? entry.regions : undefined;
    },
    set(scope, snapshot) {
      entries.set(scope, snapshot);
    },
    drop(scope) {
      entries.delete(scope);
    },
    retain(scopes) {
      for (const scope of entries.keys()) if (!scopes.has(scope)) entries.delete(scope);
    },
    regionCount() {
      let n = 0;
      for (const entry of entries.values()) n += entry.regions.length;
      return n;
    },
  };
}
