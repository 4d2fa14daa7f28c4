/**
 * The bottom of lib/store: what every store module is handed (`StoreDeps`),
 * and the two reads the others build on, every page of a Query and the commit
 * sequence. It imports only the item layout, so no store module imports
 * another in a circle.
 */
import { GetCommand, paginateQuery, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { SEQ_KEY, type SeqItem } from './items';

export interface StoreDeps {
  doc: DynamoDBDocumentClient;
  table: string;
}

/** The Query of a whole partition, strongly consistent. */
export function partition({ table }: StoreDeps, pk: string): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
    ConsistentRead: true,
  };
}

/** Every item of a partition (one Query, paged), by sort key. */
export async function readPartition<T extends { sk: string }>(deps: StoreDeps, pk: string): Promise<Map<string, T>> {
  const items = await queryAll<T>(deps, partition(deps, pk));
  return new Map(items.map((item) => [item.sk, item]));
}

/** Every page of a Query (DynamoDB returns at most 1 MB a page). */
export async function queryAll<T>(deps: StoreDeps, input: QueryCommandInput): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateQuery({ client: deps.doc }, input)) {
    items.push(...((page.Items ?? []) as T[]));
  }
  return items;
}

export interface SeqHead {
  /** SEQ.value: 0 until the first commit. */
  version: number;
  /** SEQ.committedAt, null until the first commit. */
  syncedAt: string | null;
}

export async function readSeq({ doc, table }: StoreDeps): Promise<SeqHead> {
  const { Item } = await doc.send(new GetCommand({ TableName: table, Key: SEQ_KEY, ConsistentRead: true }));
  const item = Item as Partial<SeqItem> | undefined;
  return { version: item?.value ?? 0, syncedAt: item?.committedAt ?? null };
}
