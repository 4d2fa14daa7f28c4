/**
 * Per-scope status: one update per scope and pass. A single UpdateItem returns the
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
 *
 * A pass writes its scopes' status together (recordStatuses): a transaction
 * per 100 scopes over the items it read at its start, each conditioned on the
 * item it read, so a pass costs a Query and a transaction where it cost an
 * UpdateItem per scope.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { readPartition, type StoreDeps } from './deps';
import { PK, statusKey, type ErrorInfo, type StatusItem } from './items';

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
export interface StatusRecord extends StatusItem {
  writeToken?: string;
  replacedFailures?: number;
  /** '' when there was none. */
  replacedSuccessAt?: string;
}

/** The scopes' status items as a pass read them (readStatuses), by scope: what recordStatuses writes over. */
export type StatusesRead = ReadonlyMap<string, StatusRecord>;

async function readStatusRecord(deps: StoreDeps, scope: string): Promise<StatusRecord | undefined> {
  const out = await deps.doc.send(new GetCommand({ TableName: deps.table, Key: statusKey(scope), ConsistentRead: true }));
  return out.Item as StatusRecord | undefined;
}

/** The item as this write replaced it, read back after our own write was applied and its answer lost. */
async function replacedBy(deps: StoreDeps, scope: string): Promise<StatusItem | undefined> {
  const item = await readStatusRecord(deps, scope);
  if (!item) return undefined;
  return { ...item, consecutiveFailures: item.replacedFailures ?? 0, ...(item.replacedSuccessAt ? { lastSuccessAt: item.replacedSuccessAt } : { lastSuccessAt: undefined }) };
}

/** The update of one scope's status (with its token and the values it replaces kept), without its condition. */
function statusUpdate(table: string, update: StatusUpdate, token: string) {
  const failed = update.error !== undefined;
  const keep = 'writeToken = :token, replacedFailures = if_not_exists(consecutiveFailures, :zero), replacedSuccessAt = if_not_exists(lastSuccessAt, :none)';
  return {
    TableName: table,
    Key: statusKey(update.scope),
    UpdateExpression: failed
      ? `SET #source = :source, lastAttemptAt = :at, lastError = :error, ${keep} ADD consecutiveFailures :one`
      : `SET #source = :source, lastAttemptAt = :at, lastSuccessAt = :at, consecutiveFailures = :zero, ${keep}`,
    ExpressionAttributeNames: { '#source': 'source' } as Record<string, string>,
    ExpressionAttributeValues: {
      ':source': update.source,
      ':at': update.at,
      ':zero': 0,
      ':none': '',
      ':token': token,
      ...(failed ? { ':error': update.error, ':one': 1 } : {}),
    } as Record<string, unknown>,
  };
}

/** What a write over `previous` means: the transition, the failures after it, the error it recovers from. */
function outcomeOver(previous: StatusItem | undefined, failed: boolean): StatusOutcome {
  return {
    transition: transitionOf(previous, failed),
    consecutiveFailures: failed ? (previous?.consecutiveFailures ?? 0) + 1 : 0,
    previousError: previous?.lastError,
  };
}

export async function recordStatus(deps: StoreDeps, update: StatusUpdate): Promise<StatusOutcome> {
  let previous: StatusItem | undefined;
  try {
    const write = statusUpdate(deps.table, update, randomUUID());
    const out = await deps.doc.send(
      new UpdateCommand({
        ...write,
        // A retry of this very write, already applied, must not apply again.
        ConditionExpression: `${update.onlyIfExists ? 'attribute_exists(pk) AND ' : ''}(attribute_not_exists(writeToken) OR writeToken <> :token)`,
        ReturnValues: 'ALL_OLD',
      }),
    );
    previous = out.Attributes as StatusItem | undefined;
  } catch (error: unknown) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    previous = await replacedBy(deps, update.scope);
    if (!previous && update.onlyIfExists) return { transition: null, consecutiveFailures: 0 };
  }
  return outcomeOver(previous, update.error !== undefined);
}

/** Every STATUS item, by scope, as it stands now (one consistent Query): what recordStatuses writes over. */
export function readStatuses(deps: StoreDeps): Promise<StatusesRead> {
  return readPartition<StatusRecord>(deps, PK.status);
}

/** TransactWriteItems takes at most 100 items. */
const TRANSACTION_ITEMS = 100;

/**
 * Many scopes' status in a transaction per 100 scopes instead of an UpdateItem
 * each, over the items read earlier in the pass (readStatuses). Each update is
 * conditioned on its item being exactly as read (its write token, or its
 * absence), so the transition decided on the read is decided on the value the
 * write replaces, as recordStatus decides it on the value returned.
 *
 * A transaction that a concurrent write cancelled wrote nothing (all or none):
 * its scopes take the one-item way. One whose first attempt was applied and
 * its answer lost (the SDK's retry then meets its own token) is recognised by
 * that token. Without a read (it failed), every scope takes the one-item way.
 */
export async function recordStatuses(deps: StoreDeps, updates: readonly StatusUpdate[], read: StatusesRead | undefined): Promise<StatusOutcome[]> {
  if (!read) return Promise.all(updates.map((update) => recordStatus(deps, update)));
  const chunks: StatusUpdate[][] = [];
  for (let i = 0; i < updates.length; i += TRANSACTION_ITEMS) chunks.push(updates.slice(i, i + TRANSACTION_ITEMS));
  const outcomes = await Promise.all(chunks.map((chunk) => recordChunk(deps, chunk, read)));
  return outcomes.flat();
}

async function recordChunk(deps: StoreDeps, chunk: readonly StatusUpdate[], read: StatusesRead): Promise<StatusOutcome[]> {
  const token = randomUUID();
  try {
    await deps.doc.send(
      new TransactWriteCommand({
        TransactItems: chunk.map((update) => ({ Update: withCondition(statusUpdate(deps.table, update, token), read.get(update.scope)) })),
      }),
    );
  } catch (error: unknown) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    if (!(await applied(deps, chunk[0]!.scope, token))) return Promise.all(chunk.map((update) => recordStatus(deps, update)));
  }
  return chunk.map((update) => outcomeOver(read.get(update.scope), update.error !== undefined));
}

/** The condition "as read": the item's write token, or no item. */
function withCondition<T extends ReturnType<typeof statusUpdate>>(write: T, seen: StatusRecord | undefined): T & { ConditionExpression: string } {
  const token = seen?.writeToken;
  if (!seen) return { ...write, ConditionExpression: 'attribute_not_exists(pk)' };
  if (token === undefined) return { ...write, ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(writeToken)' };
  return { ...write, ConditionExpression: 'writeToken = :seen', ExpressionAttributeValues: { ...write.ExpressionAttributeValues, ':seen': token } };
}

/** Whether the transaction carrying `token` was applied: its first item holds the token. */
async function applied(deps: StoreDeps, scope: string, token: string): Promise<boolean> {
  return (await readStatusRecord(deps, scope))?.writeToken === token;
}
