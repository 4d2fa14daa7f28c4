/**
 * Counts what a pass costs in DynamoDB from outside production code: a
 * middleware on the document client's stack asks every call for its consumed
 * capacity (`ReturnConsumedCapacity: TOTAL`), adds what DynamoDB reports, and
 * counts the items each successful write put, updated or deleted, by kind (the
 * item's partition key). lib/store knows nothing of it.
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type WriteKind = 'seq' | 'changeset' | 'region' | 'scope' | 'status' | 'outbox' | 'publish';

export interface Meter {
  readUnits: number;
  writeUnits: number;
  writes: Record<WriteKind, number>;
}

export function createMeter(): Meter {
  return { readUnits: 0, writeUnits: 0, writes: { seq: 0, changeset: 0, region: 0, scope: 0, status: 0, outbox: 0, publish: 0 } };
}

/** Partition key → kind; history and schema items are not counted (as before the meter moved here). */
const KINDS: Record<string, WriteKind> = {
  SEQ: 'seq',
  CHANGES: 'changeset',
  REGION: 'region',
  SCOPE: 'scope',
  STATUS: 'status',
  OUTBOX: 'outbox',
  PUBLISH: 'publish',
};

type Keyed = { Key?: Record<string, unknown>; Item?: Record<string, unknown> } | undefined;

/** The partition key of a write, marshalled or not. */
function pkOf(write: Keyed): string | undefined {
  const pk = (write?.Key ?? write?.Item)?.pk;
  if (typeof pk === 'string') return pk;
  const s = (pk as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : undefined;
}

function writtenPks(command: string, input: Record<string, unknown>): (string | undefined)[] {
  if (command.startsWith('TransactWrite')) {
    const items = (input.TransactItems ?? []) as Record<string, Keyed>[];
    // A ConditionCheck writes nothing.
    return items.flatMap((i) => [i.Put, i.Update, i.Delete].filter(Boolean).map(pkOf));
  }
  if (command.startsWith('BatchWrite')) {
    const requests = Object.values((input.RequestItems ?? {}) as Record<string, { PutRequest?: Keyed; DeleteRequest?: Keyed }[]>).flat();
    return requests.map((r) => pkOf(r.PutRequest ?? r.DeleteRequest));
  }
  if (/^(Put|Update|Delete)/.test(command)) return [pkOf(input as Keyed)];
  return [];
}

function add(meter: Meter, kind: 'read' | 'write', capacity: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
  for (const c of Array.isArray(capacity) ? capacity : capacity ? [capacity] : []) {
    if (kind === 'read') meter.readUnits += c.ReadCapacityUnits ?? c.CapacityUnits ?? 0;
    else meter.writeUnits += c.WriteCapacityUnits ?? c.CapacityUnits ?? 0;
  }
}

/** Adds the meter middleware to `doc`; each call is counted on the meter `current()` gives then (none: not counted). */
export function attachMeter(doc: DynamoDBDocumentClient, current: () => Meter | undefined): void {
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const meter = current();
      if (!meter) return next(args);
      const command = String(context.commandName ?? '');
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
      const read = /^(Get|Query|Scan|BatchGet)/.test(command);
      add(meter, read ? 'read' : 'write', output.ConsumedCapacity);
      for (const pk of writtenPks(command, input)) {
        const kind = pk === undefined ? undefined : KINDS[pk];
        if (kind) meter.writes[kind] += 1;
      }
      return result;
    },
    { step: 'initialize', name: 'benchMeter', override: true },
  );
}
