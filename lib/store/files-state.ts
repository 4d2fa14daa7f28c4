/**
 * The catalog files' bookkeeping in the table, one item `PUBLISH/FILES`:
 * `archived`, the last seq up to which every `changes/<seq>.json` is written,
 * and `announced`, the last version of latest.json announced by a `Catalog
 * Published` event. A pass compares both with SEQ: equal means the files are
 * up to date and it makes no S3 call at all; behind means it catches up.
 *
 * The announcement is one transaction: the outbox item (published by the
 * publisher like every operational event) and `announced` moved forward under
 * a condition, so concurrent passes and retries announce each version once,
 * and never an older one after a newer.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { CATALOG_PUBLISHED } from '../core/detail-types';
import type { CatalogPublished } from '../core/api-records';
import type { StoreDeps } from './deps';
import { PK, type OutboxItem } from './items';

export const FILES_KEY = { pk: 'PUBLISH', sk: 'FILES' } as const;

export interface FilesState {
  archived: number;
  announced: number;
}

export async function readFilesState(deps: StoreDeps): Promise<FilesState> {
  const out = await deps.doc.send(new GetCommand({ TableName: deps.table, Key: FILES_KEY, ConsistentRead: true, }));
  const item = out.Item as Partial<FilesState> | undefined;
  return { archived: item?.archived ?? 0, announced: item?.announced ?? 0 };
}

/** Records that every changeset up to `seq` is archived; only forward (a slower pass never moves it back). */
export async function advanceArchived(deps: StoreDeps, seq: number): Promise<void> {
  try {
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: FILES_KEY,
        UpdateExpression: 'SET archived = :seq',
        ConditionExpression: 'attribute_not_exists(archived) OR archived < :seq',
        ExpressionAttributeValues: { ':seq': seq },
      }),
    );
  } catch (error: unknown) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/**
 * Queues `Catalog Published` for `detail.version` unless that version or a
 * newer one was announced already; true when this call queued it.
 */
export async function announceVersion(deps: StoreDeps, detail: CatalogPublished, outbox: { sk: string; expiresAt: number }): Promise<boolean> {
  const version = Number(detail.version);
  const item: OutboxItem = { pk: PK.outbox, sk: outbox.sk, detailType: CATALOG_PUBLISHED, detail: JSON.stringify(detail), expiresAt: outbox.expiresAt };
  try {
    await deps.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: deps.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Update: {
              TableName: deps.table,
              Key: FILES_KEY,
              UpdateExpression: 'SET announced = :v',
              ConditionExpression: 'attribute_not_exists(announced) OR announced < :v',
              ExpressionAttributeValues: { ':v': version },
            },
          },
        ],
        // The SDK's retry of a transaction applied but whose answer was lost is then a no-op, not a failed condition.
        ClientRequestToken: outbox.sk,
      }),
    );
    return true;
  } catch (error: unknown) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
    throw error;
  }
}
