/**
 * Per-scope status: one UpdateItem per scope and pass. The update returns the
 * item as it was, so the transition (degraded, recovered) is decided on the
 * value this very write replaced: two concurrent failing passes cannot both
 * announce the same degradation.
 *
 * The write is not idempotent by itself (it adds a failure), so each carries a
 * token and keeps the values it replaced: when the SDK retries a write that was
 * applied but whose answer was lost, the retry's condition fails on its own
 * token, and the replaced values are read back instead of counting twice and
 * missing the transition (found by the chaos suite's "applied, then the
 * connection dropped" on status writes).
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreDeps } from './deps';
import { statusKey, type ErrorInfo, type StatusItem } from './items';

export type Transition = 'degraded' | 'recovered' | null;

export interface StatusUpdate {
  scope: string;
  source: string;
  at: string;
  error?: ErrorInfo | undefined;
  /** Write only over an existing status item (clearing a placeholder scope); otherwise nothing is written. */
  onlyIfExists?: boolean;
}

/**
 * Pure: what a status write means, given the item it replaced. Only a scope
 * that succeeded before can degrade, so only such a scope can recover: a
 * first success after failures from the start announces nothing (the chaos
 * suite, seed 14, saw a Source Recovered with no Source Degraded before it).
 */
export function transitionOf(previous: StatusItem | undefined, failed: boolean): Transition {
  const failures = previous?.consecutiveFailures ?? 0;
  if (!previous?.lastSuccessAt) return null;
  if (failed) return failures === 0 ? 'degraded' : null;
  return failures > 0 ? 'recovered' : null;
}

export interface StatusOutcome {
  transition: Transition;
  /** The scope's consecutive failed passes after this write. */
  consecutiveFailures: number;
  /** The last error the item held before this write: what a recovery recovers from. */
  previousError?: ErrorInfo | undefined;
}

/** The status item with what its last write replaced: how a retried write finds what it saw. */
interface StatusRecord extends StatusItem {
  writeToken?: string;
  replacedFailures?: number;
  /** '' when there was none. */
  replacedSuccessAt?: string;
}

/** The item as this write replaced it, read back after our own write was applied and its answer lost. */
async function replacedBy(deps: StoreDeps, scope: string): Promise<StatusItem | undefined> {
  const out = await deps.doc.send(new GetCommand({ TableName: deps.table, Key: statusKey(scope), ConsistentRead: true }));
  const item = out.Item as StatusRecord | undefined;
  if (!item) return undefined;
  return { ...item, consecutiveFailures: item.replacedFailures ?? 0, ...(item.replacedSuccessAt ? { lastSuccessAt: item.replacedSuccessAt } : { lastSuccessAt: undefined }) };
}

export async function recordStatus(deps: StoreDeps, update: StatusUpdate): Promise<StatusOutcome> {
  const failed = update.error !== undefined;
  const keep = 'writeToken = :token, replacedFailures = if_not_exists(consecutiveFailures, :zero), replacedSuccessAt = if_not_exists(lastSuccessAt, :none)';
  let previous: StatusItem | undefined;
  try {
    const out = await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: statusKey(update.scope),
        UpdateExpression: failed
          ? `SET #source = :source, lastAttemptAt = :at, lastError = :error, ${keep} ADD consecutiveFailures :one`
          : `SET #source = :source, lastAttemptAt = :at, lastSuccessAt = :at, consecutiveFailures = :zero, ${keep}`,
        // A retry of this very write, already applied, must not apply again.
        ConditionExpression: `${update.onlyIfExists ? 'attribute_exists(pk) AND ' : ''}(attribute_not_exists(writeToken) OR writeToken <> :token)`,
        ExpressionAttributeNames: { '#source': 'source' },
        ExpressionAttributeValues: {
          ':source': update.source,
          ':at': update.at,
          ':zero': 0,
          ':none': '',
          ':token': randomUUID(),
          ...(failed ? { ':error': update.error, ':one': 1 } : {}),
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    previous = out.Attributes as StatusItem | undefined;
  } catch (error: unknown) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    previous = await replacedBy(deps, update.scope);
    if (!previous && update.onlyIfExists) return { transition: null, consecutiveFailures: 0 };
  }
  return {
    transition: transitionOf(previous, failed),
    consecutiveFailures: failed ? (previous?.consecutiveFailures ?? 0) + 1 : 0,
    previousError: previous?.lastError,
  };
}
