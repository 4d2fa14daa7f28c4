/**
 * One region's story: its history items (`pk = HISTORY#<regionKey>`), written
 * by the commit's own transaction, read in one Query, oldest first. Cost is the
 * region's own changes within the retention, whatever the size of the feed.
 * An item past its expiry is left out whether or not TTL has deleted it yet.
 */
import type { Change } from '../core/region';
import type { StoreDeps } from './deps';
import { decodeChange, historyPartition, isExpired, type HistoryItem } from './items';
import { queryAll } from './deps';

export interface RegionHistoryRead {
  /** Oldest first. */
  changes: Change[];
  /** The commit (sequence) of each change, in the same order. */
  seqs: number[];
  /** Epoch ms when the first of them expires (Infinity when none): a kept copy is stale from then. */
  expiresAtMs: number;
}

export async function readRegionHistory(deps: StoreDeps, regionKey: string, now = Date.now()): Promise<RegionHistoryRead> {
  const items = await queryAll<HistoryItem>(deps, {
    TableName: deps.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': historyPartition(regionKey) },
    ConsistentRead: true,
    ScanIndexForward: true,
  });
  const live = items.filter((item) => !isExpired(item, now));
  return { changes: live.map(decodeChange), seqs: live.map((item) => item.seq), expiresAtMs: Math.min(Infinity, ...live.map((item) => item.expiresAt * 1000)) };
}
