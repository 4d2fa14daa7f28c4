/**
 * The change feed: the changes after a position, oldest first, at most `limit`.
 * Only changesets up to the commit sequence read first are served, so a commit
 * landing meanwhile is left whole for the next poll: no gap and no repeat.
 * A filter (source, type) skips what it leaves out, and `next` still moves past
 * every change scanned, matching or not: a filtered poller never misses nor
 * repeats one. A filtered request scans at most MAX_SCANNED changes, so a rare
 * match costs the client more polls, never one unbounded read.
 *
 * Retention: a changeset past its expiry time is never served, deleted by TTL
 * or not (lib/store/read leaves it out), and TTL deletes in no particular order,
 * so the feed never assumes the oldest go first. Every changeset it serves from
 * must follow the cursor without a hole: a hole (an expired changeset) between
 * the cursor and what it would serve is a 410, decided from expiry times alone.
 * The cursor's own changeset may be expired only when the cursor says it had
 * reached its end (`last`); a cursor in the middle of an expired changeset
 * would miss its rest, so it is a 410 too. From the start, the feed begins
 * after the newest hole: the oldest changes that can be served without one.
 */
import type { FeedPosition } from './cursor';
import type { Change } from '../core/region';
import { matchesChange, type ChangeFilter } from './params';
import type { StoreDeps } from '../store/deps';
import { readChangesets, readLiveSeqs, readSeq } from '../store/read';

export type FeedResult =
  | { kind: 'ok'; changes: Change[]; next: FeedPosition }
  /** The position names a commit after the last one. */
  | { kind: 'ahead' }
  /** Changesets after the position expired: changes would be missed. */
  | { kind: 'expired' };

/** Changesets fetched per Query: enough for small limits, small enough not to read big first-sync changesets in vain. */
const pageSizeFor = (limit: number) => Math.min(limit + 1, 25);

/** Changes a filtered request looks at before it answers (short or empty) with `next` past them. */
export const MAX_SCANNED = 2000;

/** The first sequence of the unbroken run of unexpired changesets that ends at `head` (head + 1 when changeset `head` itself expired). */
export async function liveFloor(store: StoreDeps, head: number, now: number): Promise<number> {
  let floor = 1;
  let previous = 0;
  for (const seq of await readLiveSeqs(store, { fromSeq: 1, toSeq: head, now })) {
    if (seq !== previous + 1) floor = seq;
    previous = seq;
  }
  return previous === head ? floor : head + 1;
}

const at = (seq: number, index: number, size: number): FeedPosition => (index >= size - 1 ? { seq, index, last: true } : { seq, index });

export async function readFeed(
  store: StoreDeps,
  since: FeedPosition,
  limit: number,
  filter?: ChangeFilter,
  now: number = Date.now(),
): Promise<FeedResult> {
  const head = await readSeq(store);
  if (since.seq > head.version) return { kind: 'ahead' };

  // The sequence the next changeset read must carry: anything else means the one expected expired.
  let expect = since.seq === 0 ? await liveFloor(store, head.version, now) : since.seq;
  // The cursor's own changeset may have expired without loss only when the cursor had read it to its end.
  const ownMayBeGone = since.seq > 0 && since.last === true;
  const changes: Change[] = [];
  let next = since;
  let scanned = 0;
  const pageSize = filter ? 25 : pageSizeFor(limit);
  const changesets = readChangesets(store, { fromSeq: expect, toSeq: head.version, pageSize, now });
  for await (const { seq, changes: batch } of changesets) {
    if (seq !== expect && !(ownMayBeGone && expect === since.seq && seq === since.seq + 1)) return { kind: 'expired' };
    expect = seq + 1;
    const from = seq === since.seq ? since.index + 1 : 0;
    // A cursor read on its own changeset learns whether it had reached the end (older cursors carry no flag).
    if (seq === since.seq) next = at(seq, since.index, batch.length);
    for (let index = from; index < batch.length; index++) {
      const change = batch[index]!;
      next = at(seq, index, batch.length);
      if (!filter || matchesChange(filter, change)) changes.push(change);
      if (changes.length === limit || ++scanned >= MAX_SCANNED) return { kind: 'ok', changes, next };
    }
  }
  // Read to the head: every changeset up to it must have been there.
  if (expect <= head.version && !(ownMayBeGone && expect === since.seq && since.seq === head.version)) return { kind: 'expired' };
  return { kind: 'ok', changes, next };
}
