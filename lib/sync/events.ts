/**
 * EventBridge entries, pure: one per change, DetailType from the change type
 * (lib/core/detail-types),
 * Detail the change record itself; and the batching PutEvents requires (at
 * most 10 entries and 256 KB a call, sized as EventBridge sizes them).
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { REGION_DETAIL_TYPES } from '../core/detail-types';
import type { Change } from '../core/region';

export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 256 * 1024;

export interface Target {
  busName: string;
  source: string;
}

export function changeEntry(change: Change, target: Target): PutEventsRequestEntry {
  return {
    EventBusName: target.busName,
    Source: target.source,
    DetailType: REGION_DETAIL_TYPES[change.type],
    Detail: JSON.stringify(change),
    Time: new Date(change.detectedAt),
  };
}

export function operationalEntry(detailType: string, detail: string, target: Target): PutEventsRequestEntry {
  return { EventBusName: target.busName, Source: target.source, DetailType: detailType, Detail: detail };
}

/** Entry size as EventBridge counts it: Source, DetailType, Detail in UTF-8, plus 14 bytes for Time. */
export function entrySize(entry: PutEventsRequestEntry): number {
  return (
    Buffer.byteLength(entry.Source ?? '') +
    Buffer.byteLength(entry.DetailType ?? '') +
    Buffer.byteLength(entry.Detail ?? '') +
    (entry.Time ? 14 : 0) +
    (entry.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0)
  );
}

export function batches<T>(items: readonly T[], entryOf: (item: T) => PutEventsRequestEntry): T[][] {
  const out: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const entry of items) {
    const size = entrySize(entryOf(entry));
    if (batch.length === MAX_BATCH_ENTRIES || (batch.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length) out.push(batch);
  return out;
}
