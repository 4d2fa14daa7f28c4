/**
 * The latest changes, newest first: what the page and the Atom feed show.
 * Reads the changesets backwards from a given commit (the catalog version the
 * caller serves, so the page never lists a change its table does not hold yet)
 * and stops as soon as it has `limit` changes that pass the filter.
 */
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Change } from '../core/region';
import { PK, decodeChanges, seqSortKey, type ChangesItem } from './items';

export interface LatestOptions {
  /** The last commit to include (SEQ.value as the caller read it). */
  toSeq: number;
  limit: number;
  /** Keep only these changes; all when absent. */
  keep?: (change: Change) => boolean;
}

export async function readLatestChanges(doc: DynamoDBDocumentClient, tableName: string, { toSeq, limit, keep }: LatestOptions): Promise<Change[]> {
  const out: Change[] = [];
  if (toSeq < 1 || limit < 1) return out;
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk <= :to',
        ExpressionAttributeValues: { ':pk': PK.changes, ':to': seqSortKey(toSeq) },
        ConsistentRead: true,
        ScanIndexForward: false,
        // Changesets are mostly small; a first sync's is one large item.
        Limit: Math.min(limit, 25),
        ExclusiveStartKey: start,
      }),
    );
    for (const item of (page.Items ?? []) as ChangesItem[]) {
      const changes = decodeChanges(item);
      // Within a changeset, later in commit order is newer.
      for (let i = changes.length - 1; i >= 0; i--) {
        const change = changes[i]!;
        if (keep && !keep(change)) continue;
        out.push(change);
        if (out.length === limit) return out;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}
