/**
 * The typed write plans: what lib/sync/plan produces and lib/store/commit and
 * lib/store/transactions send. They live in the store, the layer that carries
 * them out, so the store never imports the sync function's code.
 */
import type { Change, Region, SourceName } from '../core/region';
import type { RemovalHold } from './items';

/** A region as stored, with the sequence of the commit that last wrote it: the condition of its next write. */
export interface StoredRegion {
  region: Region;
  seq: number;
}

/** The scope head a plan leaves behind. */
export interface ScopeHead {
  hash: string;
  regionCount: number;
  hold: RemovalHold | undefined;
}

export interface ScopePlan {
  scope: string;
  source: SourceName;
  /**
   * The head as read: the commit's condition. A write of the head alone keeps
   * its version, so it is also conditioned on the hash and hold read.
   */
  expected: { exists: boolean; version: number; hash?: string; hold?: RemovalHold };
  changes: Change[];
  /** Stored sequence of each region a change replaces or deletes. */
  priorSeq: Record<string, number>;
  previousCount: number;
  head: ScopeHead;
  /** A hold started by this pass: one `Removals Held` event goes with the commit. */
  holdStarted: boolean;
}
