/**
 * Counts what a pass costs in DynamoDB: capacity units as DynamoDB reports
 * them (`ReturnConsumedCapacity: TOTAL`) and items written by kind, so the
 * summary, the metrics and the benchmark read the same figures.
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';

export type WriteKind = 'seq' | 'changeset' | 'region' | 'scope' | 'status' | 'outbox' | 'publish';

export interface Meter {
  readUnits: number;
  writeUnits: number;
  writes: Record<WriteKind, number>;
  /** Adds what one read or write response reports. */
  consumed(kind: 'read' | 'write', capacity: ConsumedCapacity | ConsumedCapacity[] | undefined): void;
  wrote(kind: WriteKind, count?: number): void;
}

export function createMeter(): Meter {
  const meter: Meter = {
    readUnits: 0,
    writeUnits: 0,
    writes: { seq: 0, changeset: 0, region: 0, scope: 0, status: 0, outbox: 0, publish: 0 },
    consumed(kind, capacity) {
      for (const c of Array.isArray(capacity) ? capacity : capacity ? [capacity] : []) {
        if (kind === 'read') meter.readUnits += c.ReadCapacityUnits ?? c.CapacityUnits ?? 0;
        else meter.writeUnits += c.WriteCapacityUnits ?? c.CapacityUnits ?? 0;
      }
    },
    wrote(kind, count = 1) {
      meter.writes[kind] += count;
    },
  };
  return meter;
}
