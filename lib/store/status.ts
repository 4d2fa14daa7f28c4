/**
 * Per-scope status: one UpdateItem per scope and pass. The update returns the
 * item as it was, so the transition (degraded, recovered) is decided on the
 * value this very write replaced: two concurrent failing passes cannot both
 * announce the same degradation.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreDeps } from './deps';
import { statusKey, type ErrorInfo, type StatusItem } from './items';

export type Transition = 'degraded' | 'recovered' | null;

export interface StatusUpdate {
  scope: string;
  source: string;
  at: string;
  error?: ErrorInfo | undefined;
}

/** Pure: what a status write means, given the item it replaced. */
export function transitionOf(previous: StatusItem | undefined, failed: boolean): Transition {
  const failures = previous?.consecutiveFailures ?? 0;
  if (failed) return failures === 0 && previous?.lastSuccessAt ? 'degraded' : null;
  return failures > 0 ? 'recovered' : null;
}

export interface StatusOutcome {
  transition: Transition;
  /** The scope's consecutive failed passes after this write. */
  consecutiveFailures: number;
}

export async function recordStatus(deps: StoreDeps, update: StatusUpdate): Promise<StatusOutcome> {
  const failed = update.error !== undefined;
  const out = await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: statusKey(update.scope),
      UpdateExpression: failed
        ? 'SET #source = :source, lastAttemptAt = :at, lastError = :error ADD consecutiveFailures :one'
        : 'SET #source = :source, lastAttemptAt = :at, lastSuccessAt = :at, consecutiveFailures = :zero',
      ExpressionAttributeNames: { '#source': 'source' },
      ExpressionAttributeValues: failed
        ? { ':source': update.source, ':at': update.at, ':error': update.error, ':one': 1 }
        : { ':source': update.source, ':at': update.at, ':zero': 0 },
      ReturnValues: 'ALL_OLD',
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  deps.meter?.consumed('write', out.ConsumedCapacity);
  deps.meter?.wrote('status');
  const previous = out.Attributes as StatusItem | undefined;
  return {
    transition: transitionOf(previous, failed),
    consecutiveFailures: failed ? (previous?.consecutiveFailures ?? 0) + 1 : 0,
  };
}
