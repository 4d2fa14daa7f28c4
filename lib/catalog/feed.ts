/**
 * The change feed: the changes after a position, oldest first, at most `limit`.
 * Only changesets up to the commit sequence read first are served, so a commit
 * landing meanwhile is left whole for the next poll: no gap and no repeat.
 * A filter (source, type) skips what it leaves out, and `next` still moves past
 * every change scanned, matching or not: a filtered poller never misses nor
 * repeats one. A filtered request scans at most MAX_SCANNED changes, so a rare
 * match costs the client more polls, never one unbounded read.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FeedPosition } from './cursor';
import type { Change } from '../core/region';
import { matchesChange, type ChangeFilter } from './params';
import { readChangesets, readSeq } from '../store/read';

export type FeedResult =
  | { kind: 'ok'; changes: Change[]; next: FeedPosition }
  /** The position names a commit after the last one. */
  | { kind: 'ahead' }
  /** Changesets after the position were deleted by retention: changes would be missed. */
  | { kind: 'expired' };

/** Changesets fetched per Query: enough for small limits, small enough not to read big first-sync changesets in vain. */
const pageSizeFor = (limit: number) => Math.min(limit + 1, 25);

/** Changes a filtered request looks at before it answers (short or empty) with `next` past them. */
export const MAX_SCANNED = 2000;

export async function readFeed(
  doc: DynamoDBDocumentClient,
  tableName: string,
  since: FeedPosition,
  limit: number,
  filter?: ChangeFilter,
): Promise<FeedResult> {
  const head = await readSeq(doc, tableName);
  if (since.seq > head.version) return { kind: 'ahead' };

  const changes: Change[] = [];
  let next = since;
  let first = true;
  let scanned = 0;
  const pageSize = filter ? 25 : pageSizeFor(limit);
  const changesets = readChangesets(doc, tableName, { fromSeq: since.seq, toSeq: head.version, pageSize });
  for await (const { seq, changes: batch } of changesets) {
    // TTL deletes oldest first: the cursor's own changeset being gone is fine
    // only when the very next one is still there.
    if (first && since.seq > 0 && seq > since.seq + 1) return { kind: 'expired' };
    first = false;
    for (let index = seq === since.seq ? since.index + 1 : 0; index < batch.length; index++) {
      const change = batch[index]!;
      next = { seq, index };
      if (!filter || matchesChange(filter, change)) changes.push(change);
      if (changes.length === limit || ++scanned >= MAX_SCANNED) return { kind: 'ok', changes, next };
    }
  }
  // Nothing at or after the cursor although later commits exist: all expired.
  if (first && since.seq > 0 && since.seq < head.version) return { kind: 'expired' };
  return { kind: 'ok', changes, next };
}
