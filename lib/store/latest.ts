/**
 * The latest changes, newest first: what the page and the Atom feed show.
 * Reads the changesets backwards from a given commit (the catalog version the
 * caller serves, so the page never lists a change its table does not hold yet)
 * and stops as soon as it has `limit` changes that pass the filter (lib/store/read's
 * readChangesets, newest first, which leaves expired changesets out).
 */
import type { Change } from '../core/region';
import type { StoreDeps } from './deps';
import { readChangesets } from './read';

export interface LatestOptions {
  /** The last commit to include (SEQ.value as the caller read it). */
  toSeq: number;
  limit: number;
  /** Keep only these changes; all when absent. */
  keep?: (change: Change) => boolean;
  /** Epoch ms (default: the clock). */
  now?: number;
}

export interface LatestChanges {
  /** Newest first. */
  changes: Change[];
  /** Epoch ms when the first changeset read expires (Infinity when none): a kept copy is stale from then. */
  expiresAtMs: number;
}

export async function readLatestChanges(deps: StoreDeps, { toSeq, limit, keep, now }: LatestOptions): Promise<LatestChanges> {
  const out: LatestChanges = { changes: [], expiresAtMs: Infinity };
  if (toSeq < 1 || limit < 1) return out;
  // Changesets are mostly small; a first sync's is one large item.
  const changesets = readChangesets(deps, { fromSeq: 0, toSeq, pageSize: Math.min(limit, 25), newestFirst: true, ...(now === undefined ? {} : { now }) });
  for await (const { changes, expiresAtMs } of changesets) {
    out.expiresAtMs = Math.min(out.expiresAtMs, expiresAtMs);
    // Within a changeset, later in commit order is newer.
    for (let i = changes.length - 1; i >= 0; i--) {
      const change = changes[i]!;
      if (keep && !keep(change)) continue;
      out.changes.push(change);
      if (out.changes.length === limit) return out;
    }
  }
  return out;
}

/** A change with its place in the feed: the changeset that holds it and its index there. */
export interface PlacedChange {
  change: Change;
  seq: number;
  index: number;
}

/** A page of placed changes; `expiresAtMs`: when the first changeset read expires (the list is stale from then). */
export interface PlacedChanges {
  changes: PlacedChange[];
  more: boolean;
  expiresAtMs: number;
}

export interface BeforeOptions extends LatestOptions {
  /** Only changes before this index of changeset `toSeq` (the next page of an "older" link); all of it when absent. */
  beforeIndex?: number;
}

/**
 * The latest changes up to a position, newest first, each with its position, and whether any
 * older one (that passes the filter) remains: what the page's change list and its "older" link
 * page through.
 */
export async function readChangesBefore(
  deps: StoreDeps,
  { toSeq, limit, keep, beforeIndex, now }: BeforeOptions,
): Promise<PlacedChanges> {
  const out: PlacedChange[] = [];
  let expiresAtMs = Infinity;
  if (toSeq < 1 || limit < 1) return { changes: out, more: false, expiresAtMs };
  const range = { fromSeq: 0, toSeq, pageSize: Math.min(limit + 1, 25), newestFirst: true, ...(now === undefined ? {} : { now }) };
  for await (const { seq, changes, expiresAtMs: expires } of readChangesets(deps, range)) {
    expiresAtMs = Math.min(expiresAtMs, expires);
    const start = seq === toSeq && beforeIndex !== undefined ? Math.min(beforeIndex, changes.length) - 1 : changes.length - 1;
    for (let i = start; i >= 0; i--) {
      const change = changes[i]!;
      if (keep && !keep(change)) continue;
      if (out.length === limit) return { changes: out, more: true, expiresAtMs };
      out.push({ change, seq, index: i });
    }
  }
  return { changes: out, more: false, expiresAtMs };
}
