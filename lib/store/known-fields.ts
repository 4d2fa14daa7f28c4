/**
 * The upstream fields last seen per source (`SCHEMA/<source>`), the baseline
 * of `Schema Changed`. A write moves the item to the next version under a
 * condition on the version read and puts the change's events in the outbox in
 * the same transaction: the new shape and its announcement land together or
 * not at all, so concurrent passes announce each change once.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreDeps } from './deps';
import { knownFieldsKey, type OutboxItem, type KnownFieldsItem } from './items';

export interface KnownFields {
  fields: string[];
  universal: string[];
}

export async function readKnownFields(deps: StoreDeps, source: string): Promise<KnownFieldsItem | undefined> {
  const out = await deps.doc.send(new GetCommand({ TableName: deps.table, Key: knownFieldsKey(source), ConsistentRead: true }));
  return out.Item as KnownFieldsItem | undefined;
}

export interface KnownFieldsWrite {
  source: string;
  /** The version read; undefined when there was no item (the baseline). */
  expectedVersion: number | undefined;
  state: KnownFields;
  events: readonly OutboxItem[];
  at: string;
}

/** Throws TransactionCanceledException when another pass wrote first. */
export async function writeKnownFields(deps: StoreDeps, write: KnownFieldsWrite): Promise<void> {
  const item: KnownFieldsItem = {
    ...knownFieldsKey(write.source),
    fields: write.state.fields,
    universal: write.state.universal,
    version: (write.expectedVersion ?? 0) + 1,
    updatedAt: write.at,
  };
  const condition =
    write.expectedVersion === undefined
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': write.expectedVersion } };
  await deps.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: deps.table, Item: item, ...condition } },
        ...write.events.map((event) => ({ Put: { TableName: deps.table, Item: event } })),
      ],
    }),
  );
}
