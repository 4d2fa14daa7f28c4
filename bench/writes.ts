/**
 * The limit of the scale figures: the same items a pass wrote, written with
 * plain BatchWriteItem. `writtenKeys` reads the keys from the write commands
 * a pass sent (recorded by the scale child); `readItems` fetches those items
 * as the pass left them (untimed); `batchWrite` writes them, 25 per call, one
 * call at a time, retrying unprocessed items, and is the timed part. A key
 * the pass deleted is deleted in the same batch stream.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type Key = { pk: string; sk: string };

type Input = Record<string, unknown> | undefined;

const keyOf = (value: unknown): Key | undefined => {
  const v = value as { pk?: unknown; sk?: unknown } | undefined;
  return typeof v?.pk === 'string' && typeof v.sk === 'string' ? { pk: v.pk, sk: v.sk } : undefined;
};

/** The item keys a DynamoDB document-client command writes (bundled class names may carry a digit). */
export function writtenKeys(command: string, input: Input): Key[] {
  const name = command.replace(/\d+$/, '');
  const out: Array<Key | undefined> = [];
  if (name === 'TransactWriteCommand') {
    for (const raw of (input?.TransactItems as Array<Record<string, { Item?: unknown; Key?: unknown }>>) ?? []) {
      if (raw.Put) out.push(keyOf(raw.Put.Item));
      if (raw.Update) out.push(keyOf(raw.Update.Key));
      if (raw.Delete) out.push(keyOf(raw.Delete.Key));
    }
  } else if (name === 'PutCommand') out.push(keyOf(input?.Item));
  else if (name === 'UpdateCommand' || name === 'DeleteCommand') out.push(keyOf(input?.Key));
  else if (name === 'BatchWriteCommand') {
    for (const requests of Object.values((input?.RequestItems as Record<string, Array<{ PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }>>) ?? {})) {
      for (const r of requests) out.push(keyOf(r.PutRequest?.Item ?? r.DeleteRequest?.Key));
    }
  }
  return out.filter((k): k is Key => k !== undefined);
}

export const keyId = (k: Key) => `${k.pk}\u0000${k.sk}`;

export function uniqueKeys(keys: Iterable<Key>): Key[] {
  const seen = new Map<string, Key>();
  for (const k of keys) seen.set(keyId(k), k);
  return [...seen.values()];
}

export type WriteRequest = { put: Record<string, unknown> } | { delete: Key };

/** The items under `keys` as they are now; a key with no item becomes a delete. */
export async function readItems(doc: DynamoDBDocumentClient, table: string, keys: readonly Key[]): Promise<WriteRequest[]> {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, { Keys: Key[] }> | undefined = { [table]: { Keys: keys.slice(i, i + 100) } };
    while (request && Object.keys(request).length) {
      const out = await doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of out.Responses?.[table] ?? []) found.set(keyId(item as Key), item);
      request = out.UnprocessedKeys as Record<string, { Keys: Key[] }> | undefined;
    }
  }
  return keys.map((k) => {
    const item = found.get(keyId(k));
    return item ? { put: item } : { delete: k };
  });
}

export interface BatchWriteFigures {
  items: number;
  calls: number;
  ms: number;
}

/** Writes the requests to `table`, 25 per BatchWriteItem, one call at a time; timed. */
export async function batchWrite(doc: DynamoDBDocumentClient, table: string, requests: readonly WriteRequest[]): Promise<BatchWriteFigures> {
  let calls = 0;
  const started = performance.now();
  for (let i = 0; i < requests.length; i += 25) {
    let pending: unknown[] | undefined = requests.slice(i, i + 25).map((r) => ('put' in r ? { PutRequest: { Item: r.put } } : { DeleteRequest: { Key: r.delete } }));
    while (pending?.length) {
      calls++;
      const out: { UnprocessedItems?: Record<string, unknown[]> } = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending as never } }));
      pending = out.UnprocessedItems?.[table];
    }
  }
  return { items: requests.length, calls, ms: Math.round(performance.now() - started) };
}
