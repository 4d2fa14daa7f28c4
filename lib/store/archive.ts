/**
 * The catalog at a past point from the archive in the bucket, for points the
 * table no longer holds (older than its retention): the newest
 * `catalog/v/<version>.json` before the point's commit (at it, for a time
 * point, which takes its commit whole), then the archived changesets after it
 * replayed forward (`after` of an added or changed region,
 * a removed one dropped). The answer is the one the table would have given
 * (lib/catalog/at.ts): the same version, syncedAt, regions and feed position.
 *
 * A time T means the newest commit (by sequence) stamped at or before T.
 * Stamps are the passes' start times, so they are ordered by sequence except
 * within SETTLE_MS (a commit lands at most that long after its stamp): a
 * binary search finds a commit at or before T whose successor is after T,
 * then a forward scan while stamps are within T + SETTLE_MS picks the newest
 * one at or before T (beyond that scan no later commit can be stamped <= T).
 *
 * Undefined when the archive lacks what the point needs (a file never
 * written, or expired by the bucket's lifecycle): the caller answers 410.
 *
 * A region's history beyond the retention is read from the same files: the
 * archived changesets the table no longer holds, filtered by region.
 */
import type { Change, Region } from '../core/api-records';
import { byRegionKey } from '../core/region';
import { getText, listVersions, type BucketDeps } from './catalog-files';
import { changesetKey, parseChangesetBody, versionKey, type ArchivedChangeset } from './catalog-layout';

export type ArchivePoint = { kind: 'cursor'; seq: number; index: number } | { kind: 'time'; ms: number };

export interface ArchivedCatalog {
  version: number;
  syncedAt: string | null;
  /** Sorted by id. */
  regions: Region[];
  position: { seq: number; index: number };
}

/** The longest a commit lands after its stamp (lib/catalog/at.ts's SETTLE_MS). */
const SETTLE_MS = 15 * 60_000;

/** Archived changesets read at once by a region's history. */
const PARALLEL_GETS = 16;


export function createArchiveReader(bucket: BucketDeps | (() => Promise<BucketDeps>)) {
  const deps = typeof bucket === 'function' ? bucket : async () => bucket;
  // Archived files never change: each is read once per instance (bounded).
  const memo = new Map<number, ArchivedChangeset | null>();
  const changeset = async (seq: number): Promise<ArchivedChangeset | undefined> => {
    if (memo.has(seq)) return memo.get(seq) ?? undefined;
    const text = await getText(await deps(), changesetKey(seq));
    const value = text === undefined ? null : parseChangesetBody(text, seq);
    if (memo.size > 256) memo.delete(memo.keys().next().value as number);
    // A missing file may still be written by a pass catching up: not remembered.
    if (value) memo.set(seq, value);
    return value ?? undefined;
  };

  /** The newest seq in [1, head] stamped at or before `ms`; 0 when none; undefined when a needed file is missing. */
  async function seqAtTime(ms: number, head: number): Promise<number | undefined> {
    const stamp = async (seq: number) => {
      const c = await changeset(seq);
      return c ? Date.parse(c.committedAt) : undefined;
    };
    let lo = 0; // a seq known to be at or before ms (0: before the first commit)
    let hi = head + 1; // a seq known to be after ms (head + 1: beyond the last)
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const t = await stamp(mid);
      if (t === undefined) return undefined;
      if (t <= ms) lo = mid;
      else hi = mid;
    }
    let best = lo;
    for (let seq = hi; seq <= head; seq++) {
      const t = await stamp(seq);
      if (t === undefined) return undefined;
      if (t <= ms) best = seq;
      else if (t > ms + SETTLE_MS) break;
    }
    return best;
  }

  /** The catalog at `point`; `head` is the table's current version (the last archived commit at most). */
  async function catalogAt(point: ArchivePoint, head: number): Promise<ArchivedCatalog | undefined> {
    const target = point.kind === 'cursor' ? point.seq : await seqAtTime(point.ms, head);
    if (target === undefined || target > head) return undefined;
    if (target === 0) return { version: 0, syncedAt: null, regions: [], position: { seq: 0, index: -1 } };
    const bucketDeps = await deps();
    // The newest version before the target's commit: the target's own changes are replayed, so a cursor inside it works too.
    // A time point takes the target's commit whole: the target's own version file, when there is one, needs no replay.
    const whole = point.kind === 'time';
    const base = (await listVersions(bucketDeps)).filter((v) => v < target || (whole && v === target)).at(-1) ?? 0;
    const regions = new Map<string, Region>();
    if (base > 0) {
      const text = await getText(bucketDeps, versionKey(base));
      if (text === undefined) return undefined;
      for (const region of (JSON.parse(text) as { regions: Region[] }).regions) regions.set(region.id, region);
    }
    // The target's changeset gives the stamp and the feed position (read by the time search already, so in memory).
    let last: ArchivedChangeset | undefined = base === target ? await changeset(target) : undefined;
    if (base === target && !last) return undefined;
    for (let seq = base + 1; seq <= target; seq++) {
      last = await changeset(seq);
      if (!last) return undefined;
      const upto = seq === target && point.kind === 'cursor' ? Math.min(point.index, last.changes.length - 1) : last.changes.length - 1;
      for (let i = 0; i <= upto; i++) {
        const change = last.changes[i]!;
        if (change.type === 'region.removed') regions.delete(change.regionKey);
        else if (change.after) regions.set(change.regionKey, change.after);
      }
    }
    const index = point.kind === 'cursor' ? Math.min(point.index, last!.changes.length - 1) : last!.changes.length - 1;
    return { version: target, syncedAt: last!.committedAt, regions: [...regions.values()].sort(byRegionKey), position: { seq: target, index } };
  }

  /**
   * One region's changes in the archived changesets `seqs` (ascending), with
   * the seq of each, oldest first. A file the archive lacks (expired by the
   * bucket's lifecycle, or never written) is skipped: the history reaches as
   * far as the archive does.
   */
  async function regionChanges(regionKey: string, seqs: readonly number[]): Promise<{ changes: Change[]; seqs: number[] }> {
    const found: { change: Change; seq: number }[][] = [];
    for (let i = 0; i < seqs.length; i += PARALLEL_GETS) {
      const batch = await Promise.all(
        seqs.slice(i, i + PARALLEL_GETS).map(async (seq) => ((await changeset(seq))?.changes ?? []).filter((c) => c.regionKey === regionKey).map((change) => ({ change, seq }))),
      );
      found.push(...batch);
    }
    const flat = found.flat();
    return { changes: flat.map((f) => f.change), seqs: flat.map((f) => f.seq) };
  }

  return { catalogAt, regionChanges };
}

export type ArchiveReader = ReturnType<typeof createArchiveReader>;
