/**
 * Counts a DynamoDB document client's calls by operation and partition key
 * ("Get PUBLISH", "Query OUTBOX", "Update PUBLISH"…) through a middleware on
 * the SDK's own stack: nothing in lib/ knows of it. An optional `after` runs
 * once a call succeeded (a test can make something happen at that moment).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoreCall {
  /** The operation: Get, Query, Update, Put, Delete, TransactWrite… */
  operation: string;
  /** The partition key the call names (its Key, or the `:pk` of a query), when it names one. */
  pk: string | undefined;
  input: Record<string, unknown>;
}

/** A partition key, marshalled ({S: …}) or not. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const s = (value as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : undefined;
}

export function countStoreCalls(doc: DynamoDBDocumentClient, after?: (call: StoreCall) => void | Promise<void>): Record<string, number> {
  const counts: Record<string, number> = {};
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const operation = String(context.commandName ?? '').replace(/(Item)?Command$/, '');
      const key = input.Key as Record<string, unknown> | undefined;
      const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
      const pk = text(key?.pk) ?? text(values?.[':pk']);
      const name = pk === undefined ? operation : `${operation} ${pk}`;
      counts[name] = (counts[name] ?? 0) + 1;
      const result = await next(args);
      await after?.({ operation, pk, input });
      return result;
    },
    { step: 'initialize', name: 'countStoreCalls' },
  );
  return counts;
}
