/**
 * The publisher's bookkeeping in the table: the cursor of the last fully
 * published changeset, a lease so that one pass drains at a time, the progress
 * of a changeset published in part, and the outbox of operational events.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { changesKey, decodeChanges, PK, PUBLISH_KEY, type ChangesItem, type OutboxItem, type PublishItem } from './items';
import { queryAll, type StoreDeps } from './deps';
import type { Change } from '../core/region';

export async function readCursor(deps: StoreDeps): Promise<PublishItem | undefined> {
  const out = await deps.doc.send(new GetCommand({ TableName: deps.table, Key: PUBLISH_KEY, ConsistentRead: true }));
  return out.Item as PublishItem | undefined;
}

/** An update under a condition on the publish item: false when the condition failed. */
async function updateIf(deps: StoreDeps, input: Omit<UpdateCommandInput, 'TableName' | 'Key'>): Promise<boolean> {
  try {
    await deps.doc.send(new UpdateCommand({ TableName: deps.table, Key: PUBLISH_KEY, ...input }));
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
  return true;
}

/** An update of the publish item under a condition, answering the item as it left it; undefined when the condition failed. */
async function updateReturning(deps: StoreDeps, input: Omit<UpdateCommandInput, 'TableName' | 'Key' | 'ReturnValues'>): Promise<PublishItem | undefined> {
  try {
    const out = await deps.doc.send(new UpdateCommand({ TableName: deps.table, Key: PUBLISH_KEY, ...input, ReturnValues: 'ALL_NEW' }));
    return out.Attributes as PublishItem;
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * Takes the lease when free or expired: the publish item as the grant left it
 * (so the holder knows the cursor without reading it), or undefined when
 * another pass holds it. `leases` counts every grant: a pass that read the
 * item with no holder and is granted the very next lease knows no one held it
 * in between (see lib/sync/publish.ts).
 */
export function takeLease(deps: StoreDeps, owner: string, now: number, ttlMs: number): Promise<PublishItem | undefined> {
  return updateReturning(deps, {
    UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until, #value = if_not_exists(#value, :zero) ADD leases :one',
    ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :owner',
    ExpressionAttributeNames: { '#value': 'value' },
    ExpressionAttributeValues: { ':owner': owner, ':until': now + ttlMs, ':now': now, ':zero': 0, ':one': 1 },
  });
}

/** Takes the lease when free or expired; false when another pass holds it. */
export async function acquireLease(deps: StoreDeps, owner: string, now: number, ttlMs: number): Promise<boolean> {
  return (await takeLease(deps, owner, now, ttlMs)) !== undefined;
}

/**
 * Extends a lease we still hold, answering the publish item (the cursor);
 * undefined when it is not ours any more (it expired and another pass took it).
 */
export function renewLease(deps: StoreDeps, owner: string, now: number, ttlMs: number): Promise<PublishItem | undefined> {
  return updateReturning(deps, {
    UpdateExpression: 'SET leaseUntil = :until',
    ConditionExpression: 'leaseOwner = :owner',
    ExpressionAttributeValues: { ':owner': owner, ':until': now + ttlMs },
  });
}

/** Gives the lease back; a no-op when it expired and another pass took it. */
export async function releaseLease(deps: StoreDeps, owner: string): Promise<void> {
  await updateIf(deps, {
    UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
    ConditionExpression: 'leaseOwner = :owner',
    ExpressionAttributeValues: { ':owner': owner },
  });
}

/** Moves the cursor to `seq`, only while we hold the lease and only forward; false when the lease was lost. */
export function advanceCursor(deps: StoreDeps, owner: string, seq: number): Promise<boolean> {
  return updateIf(deps, {
    UpdateExpression: 'SET #value = :seq',
    ConditionExpression: 'leaseOwner = :owner AND #value < :seq',
    ExpressionAttributeNames: { '#value': 'value' },
    ExpressionAttributeValues: { ':owner': owner, ':seq': seq },
  });
}

export interface PendingChangeset {
  seq: number;
  changes: Change[];
  /** Ids already accepted by EventBridge in an earlier, partial attempt. */
  sent: Set<string>;
  committedAt: string;
}

/** A changeset item with the ids already accepted (recordSent). */
type SentChangesItem = ChangesItem & { sent?: Set<string> };

function pending(item: SentChangesItem): PendingChangeset {
  return { seq: item.seq, changes: decodeChanges(item), sent: new Set(item.sent ?? []), committedAt: item.committedAt };
}

export async function readChangeset(deps: StoreDeps, seq: number): Promise<PendingChangeset | undefined> {
  const out = await deps.doc.send(new GetCommand({ TableName: deps.table, Key: changesKey(seq), ConsistentRead: true }));
  const item = out.Item as SentChangesItem | undefined;
  return item && pending(item);
}

/**
 * The changesets from `from` to `to` (inclusive), by sequence, in one
 * consistent Query (paged by DynamoDB): each read once. A sequence missing
 * from the map has expired (TTL) or was never written.
 */
export async function readChangesets(deps: StoreDeps, from: number, to: number): Promise<Map<number, PendingChangeset>> {
  const items = await queryAll<SentChangesItem>(deps, {
    TableName: deps.table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': PK.changes, ':from': changesKey(from).sk, ':to': changesKey(to).sk },
    ConsistentRead: true,
  });
  return new Map(items.map((item) => [item.seq, pending(item)]));
}

/** Records the ids accepted so far, so a retry in a later pass sends only the rest. */
export async function recordSent(deps: StoreDeps, seq: number, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: changesKey(seq),
      UpdateExpression: 'ADD sent :ids',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':ids': new Set(ids) },
    }),
  );
}

export async function listOutbox(deps: StoreDeps): Promise<OutboxItem[]> {
  return queryAll<OutboxItem>(deps, {
    TableName: deps.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': PK.outbox },
    ConsistentRead: true,
  });
}

export async function putOutbox(deps: StoreDeps, item: OutboxItem): Promise<void> {
  await deps.doc.send(new PutCommand({ TableName: deps.table, Item: item }));
}

export async function deleteOutbox(deps: StoreDeps, sk: string): Promise<void> {
  await deps.doc.send(new DeleteCommand({ TableName: deps.table, Key: { pk: PK.outbox, sk } }));
}
