/**
 * The catalog at a past point (`GET /regions?at=`): a feed cursor, or an RFC
 * 3339 time. It is rebuilt from the current catalog by undoing, newest first,
 * every change after the point (`before` of a changed or removed region comes
 * back, an added one goes), so the cost is the changes between the point and
 * now, never the service's age, and the current catalog is usually already in
 * the warm function's memory. (BENCHMARKS.md compares this with reading a
 * stored checkpoint.)
 *
 * - A cursor `(seq, index)` is the state of a client that read the feed up to
 *   that change: changesets after `seq`, and the changes after `index` in
 *   `seq`, are undone.
 * - A time T is the state after the longest run of commits, from the first,
 *   all stamped at or before T. A commit is stamped with its pass's start, so
 *   a slow pass can commit after a later one with an earlier stamp: a commit
 *   stamped after T had not landed at T, nor had any commit after it, whatever
 *   their stamps. A commit lands at most SETTLE_MS after its stamp, so every
 *   commit before one stamped by T - SETTLE_MS was stamped by T: the walk back
 *   stops there. A point within SETTLE_MS of now may still gain a commit and
 *   is not served as immutable.
 * - The changesets needed must all still be there: retention (TTL) deletes the
 *   oldest first, and a point before the oldest kept one is `expired` (410).
 */
import { byRegionKey, type Region } from '../core/region';
import type { DatedChangeset } from '../store/read';
import { regionListBody } from '../store/catalog-layout';
import { decodeCursor, START, type FeedPosition } from './cursor';
import { Representation, shortHash } from './etag';
import { filterKey, matchesRegion, type RegionFilter } from './params';
import { invalidParameter } from './problem';

export type Point = { kind: 'cursor'; position: FeedPosition } | { kind: 'time'; ms: number };

export interface PastCatalog {
  /** The sequence of that moment: the commit the position lies in (0 before the first). */
  version: number;
  /** When that commit was stamped; null before the first. */
  syncedAt: string | null;
  /** Sorted by id. */
  regions: Region[];
  /** The feed position the catalog stands at. */
  position: FeedPosition;
}

export type AtResult = { kind: 'ok'; catalog: PastCatalog } | { kind: 'expired' } | { kind: 'ahead' };

export interface CurrentCatalog {
  version: number;
  syncedAt: string | null;
  regions: readonly Region[];
}

/** The longest a pass's commit can land after the time it is stamped with (a Lambda runs at most 15 minutes). */
export const SETTLE_MS = 15 * 60_000;

const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const EXPECTED = 'expected a cursor (the `next` of GET /changes) or an RFC 3339 time such as 2026-11-23T10:00:00Z';

/** Parses `at`; a value that is neither a cursor nor an RFC 3339 time, or a time in the future, is a 400 naming `at`. */
export function parsePoint(raw: string, nowMs: number): Point {
  const position = decodeCursor(raw);
  if (position) return { kind: 'cursor', position };
  if (!RFC3339.test(raw)) throw invalidParameter('at', EXPECTED);
  const ms = Date.parse(raw.replace(/\.(\d{3})\d+/, '.$1'));
  if (!Number.isFinite(ms)) throw invalidParameter('at', EXPECTED);
  if (ms > nowMs) throw invalidParameter('at', 'the time lies in the future');
  return { kind: 'time', ms };
}

/**
 * A time older than the retention is refused (410) even while TTL, which
 * deletes lazily, still holds some of its changesets: the answer must not
 * depend on how late the deletion runs. A cursor is judged by the changesets
 * it needs (rebuildAt).
 */
export function isBeyondRetention(point: Point, nowMs: number, retentionDays: number): boolean {
  return point.kind === 'time' && point.ms < nowMs - retentionDays * 86_400_000;
}

/** True when the answer for this point can never change (served with `immutable`). */
export function isSettled(point: Point, nowMs: number): boolean {
  return point.kind === 'cursor' || point.ms <= nowMs - SETTLE_MS;
}

/** Undoes one change on the map of regions by id (pure apart from the map). */
function undo(regions: Map<string, Region>, change: DatedChangeset['changes'][number]): void {
  if (change.type === 'region.added') regions.delete(change.regionKey);
  else if (change.before) regions.set(change.regionKey, change.before);
}


/**
 * Walks the changesets newest first (from `current.version` down) and undoes
 * every change after the point. `changesets` must yield seq `current.version`,
 * `current.version - 1`, … as stored; a gap means retention deleted some.
 */
export async function rebuildAt(current: CurrentCatalog, point: Point, changesets: AsyncIterable<DatedChangeset>): Promise<AtResult> {
  if (point.kind === 'cursor' && point.position.seq > current.version) return { kind: 'ahead' };
  const regions = new Map(current.regions.map((r) => [r.id, r] as const));
  const done = (version: number, syncedAt: string | null, position: FeedPosition): AtResult => ({
    kind: 'ok',
    catalog: { version, syncedAt, position, regions: [...regions.values()].sort(byRegionKey) },
  });
  if (current.version === 0) return done(0, null, START);
  const undoAll = ({ changes }: DatedChangeset) => {
    for (let i = changes.length - 1; i >= 0; i--) undo(regions, changes[i]!);
  };
  // A time point: the changesets from the newest one stamped by T down to one stamped by
  // T - SETTLE_MS (newest first), kept until it is known which of them lie in the run.
  const held: DatedChangeset[] = [];
  /**
   * The state after the last changeset of the run: `below` is what lies under those held, the
   * newest changeset known to be in the run, 'start' (nothing: the first commit was read), or
   * 'expired' (retention took it: it was stamped before the retention horizon, so before T, which
   * the route keeps within the retention; but the state right after it is no longer known).
   */
  const timeAnswer = (below: DatedChangeset | 'start' | 'expired', ms: number): AtResult => {
    let end = typeof below === 'string' ? undefined : below;
    for (let i = held.length - 1; i >= 0 && Date.parse(held[i]!.committedAt) <= ms; i--) end = held[i];
    if (!end && below === 'expired') return { kind: 'expired' };
    for (const changeset of held) if (!end || changeset.seq > end.seq) undoAll(changeset);
    return end ? done(end.seq, end.committedAt, { seq: end.seq, index: end.changes.length - 1 }) : done(0, null, START);
  };
  let expect = current.version;
  for await (const changeset of changesets) {
    if (changeset.seq !== expect) return point.kind === 'time' ? timeAnswer('expired', point.ms) : { kind: 'expired' };
    expect -= 1;
    const { seq, changes, committedAt } = changeset;
    if (point.kind === 'cursor' && seq === point.position.seq) {
      for (let i = changes.length - 1; i > point.position.index; i--) undo(regions, changes[i]!);
      return done(seq, committedAt, { seq, index: Math.min(point.position.index, changes.length - 1) });
    }
    if (point.kind === 'time') {
      const stamp = Date.parse(committedAt);
      if (stamp <= point.ms - SETTLE_MS) return timeAnswer(changeset, point.ms);
      if (stamp <= point.ms || held.length > 0) {
        held.push(changeset);
        continue;
      }
    }
    undoAll(changeset);
  }
  // Every changeset down to the first was read: the run starts at the first commit, or the point lies before it.
  if (point.kind === 'time') return timeAnswer(expect === 0 ? 'start' : 'expired', point.ms);
  if (expect === 0 && point.kind === 'cursor' && point.position.seq === 0) return done(0, null, START);
  return { kind: 'expired' };
}

export interface AtSource {
  /** The current catalog (the warm cache's, usually in memory). */
  current(): Promise<CurrentCatalog>;
  /** The committed sequence now, read fresh: the cache may lag it by its revalidation window. */
  head(): Promise<{ version: number }>;
  /** The catalog read from the table now, when the cache lags the head. */
  load(): Promise<CurrentCatalog>;
  changesets(range: { fromSeq: number; toSeq: number; pageSize: number }): AsyncIterable<DatedChangeset>;
}

const MEMO_LIMIT = 16;

/**
 * `catalogAt(point)` for the route: rebuilds from a current catalog at least
 * as new as the head, and remembers the last few settled answers (a past
 * version never changes, so it is computed once per instance).
 */
export function createPastCatalogs(source: AtSource, now: () => number = Date.now) {
  // A settled answer is kept until the first changeset it was rebuilt from expires: from then on the
  // point is judged again (a 410 once the changesets it needs have expired, whatever TTL has deleted).
  const memo = new Map<string, { catalog: PastCatalog; until: number }>();
  return async function catalogAt(point: Point): Promise<AtResult> {
    const key = point.kind === 'cursor' ? `c${point.position.seq}.${point.position.index}` : `t${point.ms}`;
    const settled = isSettled(point, now());
    const hit = settled ? memo.get(key) : undefined;
    if (hit && now() < hit.until) return { kind: 'ok', catalog: hit.catalog };
    const [head, cached] = await Promise.all([source.head(), source.current()]);
    const current = cached.version < head.version ? await source.load() : cached;
    const fromSeq = point.kind === 'cursor' ? Math.max(point.position.seq, 1) : 1;
    let until = Infinity;
    const read = source.changesets({ fromSeq, toSeq: current.version, pageSize: 25 });
    const tracked = (async function* () {
      for await (const changeset of read) {
        until = Math.min(until, changeset.expiresAtMs);
        yield changeset;
      }
    })();
    const result = await rebuildAt(current, point, tracked);
    if (result.kind === 'ok' && settled) {
      memo.delete(key);
      memo.set(key, { catalog: result.catalog, until });
      if (memo.size > MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
    }
    return result;
  };
}

/** Cache-Control of a past version: it never changes once settled. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The `/regions` body of a past catalog, filtered, under a strong tag naming its position and filter. */
export function pastRepresentation(past: PastCatalog, filter: RegionFilter): Representation {
  const regions = past.regions.filter((r) => matchesRegion(filter, r));
  const body = regionListBody(regions, past.version, past.syncedAt);
  return new Representation(body, `"a${past.position.seq}.${past.position.index}-${shortHash(filterKey(filter))}"`);
}
