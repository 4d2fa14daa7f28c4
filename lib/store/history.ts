/**
 * One region's story: its history items (`pk = HISTORY#<regionKey>`), written
 * by the commit's own transaction, read in one Query, oldest first. Cost is the
 * region's own changes within the retention, whatever the size of the feed.
 */
import type { Change } from '../core/region';
import type { StoreDeps } from './deps';
import { decodeChange, historyPartition, type HistoryItem } from './items';
import { queryAll } from './deps';

export async function readRegionHistory(deps: StoreDeps, regionKey: string): Promise<Change[]> {
  const items = await queryAll<HistoryItem>(deps, {
    TableName: deps.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': historyPartition(regionKey) },
    ConsistentRead: true,
    ScanIndexForward: true,
  });
  return items.map(decodeChange);
}
