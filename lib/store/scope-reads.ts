/**
 * What a sync pass reads before it plans: every scope head (one Query), and
 * the stored regions of just the scopes whose answer changed. Strongly
 * consistent, because the plan's conditions are built from what is read here.
 */
import { queryAll, readPartition, type StoreDeps } from './deps';
import type { StoredRegion } from './plans';
import { decodeRegion, PK, type RegionItem, type ScopeItem } from './items';

export function loadScopeHeads(deps: StoreDeps): Promise<Map<string, ScopeItem>> {
  return readPartition<ScopeItem>(deps, PK.scope);
}

export async function loadScopeRegions(deps: StoreDeps, scope: string): Promise<StoredRegion[]> {
  const items = await queryAll<RegionItem>(deps, {
    TableName: deps.table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': PK.region, ':prefix': `${scope}#` },
    ConsistentRead: true,
  });
  return items.map((item) => ({ region: decodeRegion(item), seq: item.seq }));
}
