/**
 * What a sync pass reads before it plans: every scope head (one Query), and
 * the stored regions of just the scopes whose answer changed. Strongly
 * consistent, because the plan's conditions are built from what is read here.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StoredRegion } from '../sync/plan';
import type { StoreDeps } from './commit';
import { decodeRegion, PK, type RegionItem, type ScopeItem } from './items';

/** Every page of a Query; DynamoDB returns at most 1 MB a page. */
export async function queryAll<T>(deps: StoreDeps, input: QueryCommandInput): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await deps.doc.send(
      new QueryCommand({ ...input, ExclusiveStartKey: start, ReturnConsumedCapacity: 'TOTAL' }),
    );
    deps.meter?.consumed('read', out.ConsumedCapacity);
    items.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function loadScopeHeads(deps: StoreDeps): Promise<Map<string, ScopeItem>> {
  const items = await queryAll<ScopeItem>(deps, {
    TableName: deps.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': PK.scope },
    ConsistentRead: true,
  });
  return new Map(items.map((item) => [item.sk, item]));
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
