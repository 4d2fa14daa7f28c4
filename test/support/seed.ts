/**
 * Test data for the catalog function, written in the table layout of
 * lib/store/items.ts: SEQ, REGION, SCOPE, STATUS and CHANGES items, plus a
 * small stand-in for a sync commit (one transaction: changeset, regions, SEQ).
 */
import { BatchWriteCommand, GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Change, ChangeType, Region, SourceName } from '../../lib/core/region';
import {
  PK,
  SEQ_KEY,
  changesKey,
  encodeRegion,
  regionKeyOf,
  scopeKey,
  statusKey,
  type ChangesItem,
  type RegionItem,
  type ScopeItem,
  type SeqItem,
  type StatusItem,
} from '../../lib/store/items';

export const T0 = '2026-11-23T10:00:00.000Z';

export function makeRegion(source: SourceName, regionId: string, overrides: Partial<Region> = {}): Region {
  const cloudId = overrides.cloudId ?? (source === 'modelarts' ? 'huaweicloud' : (regionId.split('-')[0] ?? 'aws'));
  return {
    id: `${source}:${regionId}`,
    source,
    cloudId,
    regionId,
    name: regionId,
    localizedNames: source === 'modelarts' ? { en_us: regionId, zh_cn: `区域 ${regionId}` } : {},
    apiBaseUrl: source === 'zilliz' ? `https://api.${regionId}.zillizcloud.com` : null,
    attributes: source === 'zilliz' ? { domain: `${regionId}.zillizcloud.com` } : {},
    firstSeenAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** The scope a test region belongs to: `zilliz/<cloudId>` or `modelarts/<project>`. */
export function scopeOf(region: Region): string {
  return region.source === 'zilliz' ? `zilliz/${region.cloudId}` : 'modelarts/0123456789abcdef0123456789abcdef';
}

let changeCounter = 0;

export function makeChange(type: ChangeType, region: Region, before: Region | null = null, at = T0): Change {
  changeCounter++;
  return {
    id: `01JDQ8Z4Y3K3V0W7N2C5R8${String(changeCounter).padStart(4, '0')}`,
    type,
    regionKey: region.id,
    source: region.source,
    scope: scopeOf(region),
    regionId: region.regionId,
    before: type === 'region.added' ? null : (before ?? region),
    after: type === 'region.removed' ? null : region,
    changedFields: type === 'region.changed' ? ['name'] : [],
    detectedAt: at,
    summary: `${region.name}, ${region.apiBaseUrl ?? 'no API base URL'}`,
  };
}

export interface SeedData {
  seq?: { value: number; committedAt?: string };
  regions?: Region[];
  /** Seq stamped on region items (default: seq.value). */
  regionSeq?: number;
  scopes?: (Partial<ScopeItem> & { sk: string })[];
  statuses?: (Partial<StatusItem> & { sk: string })[];
  changesets?: { seq: number; changes: Change[]; committedAt?: string; expiresAt?: number }[];
}

const inAMonth = () => Math.floor(Date.now() / 1000) + 30 * 86_400;

export function changesItem(seq: number, changes: Change[], committedAt = T0, expiresAt = inAMonth()): ChangesItem {
  return { ...changesKey(seq), pk: PK.changes, seq, body: JSON.stringify(changes), count: changes.length, committedAt, expiresAt };
}

export function regionItem(region: Region, seq: number): RegionItem {
  return { ...regionKeyOf(scopeOf(region), region.regionId), pk: PK.region, scope: scopeOf(region), body: encodeRegion(region), seq };
}

export async function seed(doc: DynamoDBDocumentClient, tableName: string, data: SeedData): Promise<void> {
  const items: object[] = [];
  if (data.seq) items.push({ ...SEQ_KEY, value: data.seq.value, committedAt: data.seq.committedAt ?? T0 } satisfies SeqItem);
  const regionSeq = data.regionSeq ?? data.seq?.value ?? 1;
  for (const region of data.regions ?? []) items.push(regionItem(region, regionSeq));
  for (const scope of data.scopes ?? []) {
    items.push({ ...scopeKey(scope.sk), source: scope.sk.split('/')[0], version: 1, hash: 'h', regionCount: 0, ...scope, pk: PK.scope });
  }
  for (const status of data.statuses ?? []) items.push({ ...statusKey(status.sk), source: status.sk.split('/')[0], ...status, pk: PK.status });
  for (const cs of data.changesets ?? []) items.push(changesItem(cs.seq, cs.changes, cs.committedAt, cs.expiresAt));
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}

/**
 * A stand-in for one sync commit: the changeset, the region writes and the SEQ
 * bump in one transaction, conditioned on SEQ not having moved. Returns the new seq.
 */
export async function commit(doc: DynamoDBDocumentClient, tableName: string, changes: Change[], at = new Date().toISOString()): Promise<number> {
  const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: SEQ_KEY, ConsistentRead: true }));
  const previous = (Item as SeqItem | undefined)?.value ?? 0;
  const seq = previous + 1;
  const regionWrites = changes.map((change) =>
    change.after
      ? { Put: { TableName: tableName, Item: regionItem(change.after, seq) } }
      : { Delete: { TableName: tableName, Key: regionKeyOf(change.scope, change.regionId) } },
  );
  await doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { ...SEQ_KEY, value: seq, committedAt: at },
            ConditionExpression: 'attribute_not_exists(pk) OR #v = :prev',
            ExpressionAttributeNames: { '#v': 'value' },
            ExpressionAttributeValues: { ':prev': previous },
          },
        },
        { Put: { TableName: tableName, Item: changesItem(seq, changes, at) } },
        ...regionWrites,
      ],
    }),
  );
  return seq;
}
