/**
 * Sending a pass's plans: the transactions of lib/store/transactions one after
 * the other, each under its conditions, and the head-only writes. A condition
 * that fails means a concurrent pass got there first: CommitConflictError says
 * which scopes were already completed, and the caller re-reads and re-plans the
 * rest, so two passes never commit the same change twice.
 *
 * Every transaction carries a ClientRequestToken, so the SDK's own retry of a
 * transaction that was applied but whose answer was lost succeeds without
 * applying it again (DynamoDB keeps the token 10 minutes; the SDK would fill
 * one in by itself, we set it so the guarantee does not rest on that). Should the retry
 * still report a failed condition, the changeset it would have written is read
 * back: when it holds this transaction's change ids, the commit did land.
 * A cancellation is read by its reasons: a failed condition is a lost race
 * (re-read, re-plan), a transaction conflict or throttling is retried as is,
 * anything else (a validation error) fails at once, naming the reasons.
 * Throttling that outlasts the retries is CommitThrottledError, not a conflict:
 * re-planning cannot cure it.
 */
import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { crashPoint } from '../core/crash';
import { jitteredBackoff, sleep } from '../core/backoff';
import { CommitConflictError, CommitThrottledError } from '../core/errors';
import { readSeq, type StoreDeps } from './deps';
import type { ScopePlan } from './plans';
import { changesKey, decodeChanges, type ChangesItem } from './items';
import { buildHeadOnly, buildTransaction, packTransactions, type Tx, type TxPart } from './transactions';
import type { Change } from '../core/region';

export interface CommitOptions {
  now: string;
  retentionDays: number;
  newId: () => string;
}

export interface CommittedChange {
  change: Change;
  /** The SEQ of the transaction that wrote it: the region's stored `seq`. */
  seq: number;
}

/** One scope as the commit left it: its head version now and the changes written, each with its SEQ. */
export interface CommittedScope {
  version: number;
  changes: CommittedChange[];
}

export interface CommitResult {
  /** Sequence numbers committed, in order. */
  sequences: number[];
  changes: number;
  completedScopes: string[];
  /** Per completed scope (every part written): what the commit wrote, so no caller re-packs the plans to learn it. */
  scopes: Map<string, CommittedScope>;
}

/**
 * Pure: notes transaction `tx`, committed as `seq`, in `progress` (per scope, the
 * version and changes written so far). A scope's entry is final once its last part is in.
 */
export function noteCommitted(progress: Map<string, CommittedScope>, tx: Tx, seq: number): void {
  for (const part of tx) {
    const entry = progress.get(part.plan.scope) ?? { version: seq, changes: [] };
    entry.version = seq;
    for (const change of part.changes) entry.changes.push({ change, seq });
    progress.set(part.plan.scope, entry);
  }
}

export class ScopeConflictError extends CommitConflictError {
  constructor(readonly completed: CommitResult, options?: { cause?: unknown }) {
    super('a concurrent pass committed first', options);
  }
}

/** Throttling outlasted the retries part-way through a commit: `completed` is what did land. */
export class ScopeThrottledError extends CommitThrottledError {
  constructor(readonly completed: CommitResult, options?: { cause?: unknown }) {
    super('DynamoDB kept throttling the commit', options);
  }
}

export async function readSeqValue({ doc, table }: StoreDeps): Promise<number> {
  return (await readSeq({ doc, table })).version;
}

/** A cancellation that neither a re-plan nor a retry can cure (e.g. ValidationError): the scopes fail at once. */
export class CommitRejectedError extends Error {
  override name = 'CommitRejectedError';
  constructor(readonly reasons: string[], options?: { cause?: unknown }) {
    super(`the transaction was rejected: ${reasons.join(', ')}`, options);
  }
}

export type Cancellation = 'conflict' | 'retry' | 'reject';

/** Codes that mean "DynamoDB is shedding load": retried as is, and never reported as a conflict. */
const THROTTLING = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);
/** Codes that mean "try the very same transaction again". */
const TRANSIENT = new Set(['TransactionConflict', ...THROTTLING]);

/** The reason codes of a cancelled transaction, 'None' left out. */
export function cancellationCodes(error: TransactionCanceledException): string[] {
  return (error.CancellationReasons ?? []).map((r) => r.Code ?? 'Unknown').filter((code) => code !== 'None');
}

/** Pure: what a cancellation with these reason codes calls for. */
export function classifyCancellation(codes: readonly string[]): Cancellation {
  if (codes.length > 0 && codes.every((c) => c === 'ConditionalCheckFailed' || TRANSIENT.has(c))) {
    return codes.includes('ConditionalCheckFailed') ? 'conflict' : 'retry';
  }
  // No reasons at all is what DynamoDB Local gives for some races; treat as a lost race, which re-reads.
  return codes.length === 0 ? 'conflict' : 'reject';
}

/** Attempts of one transaction cancelled by a conflict or throttling before the pass gives up on it. */
const TRANSIENT_ATTEMPTS = 5;

/** Backoff scale of those attempts (lib/core/backoff). */
const TRANSIENT_BACKOFF_MS = 40;

/** True when changeset `seq` holds exactly the changes this transaction was to write: it did land. */
async function landed(deps: StoreDeps, seq: number, ids: readonly string[]): Promise<boolean> {
  if (ids.length === 0) return false;
  const out = await deps.doc.send(new GetCommand({ TableName: deps.table, Key: changesKey(seq), ConsistentRead: true }));
  const item = out.Item as ChangesItem | undefined;
  if (!item) return false;
  const stored = decodeChanges(item).map((c) => c.id);
  return stored.length === ids.length && stored.every((id, i) => id === ids[i]);
}

/**
 * Sends one transaction under one ClientRequestToken; `check` names the changeset it writes, to confirm
 * a commit whose answer was lost. Throws CommitConflictError (re-plan) or CommitRejectedError (fail).
 */
async function send(deps: StoreDeps, input: TransactWriteCommandInput, check?: { seq: number; ids: string[] }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    // One token per attempt: the SDK's own retries of this attempt reuse it (idempotent); a new
    // attempt follows a cancellation, which applied nothing.
    const token = randomUUID();
    try {
      await deps.doc.send(new TransactWriteCommand({ ...input, ClientRequestToken: token }));
      return;
    } catch (error: unknown) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = cancellationCodes(error);
      const kind = classifyCancellation(codes);
      if (kind === 'reject') throw new CommitRejectedError(codes, { cause: error });
      if (kind === 'retry' && attempt < TRANSIENT_ATTEMPTS) {
        await sleep(jitteredBackoff(attempt, { baseMs: TRANSIENT_BACKOFF_MS }));
        continue;
      }
      if (check && (await landed(deps, check.seq, check.ids))) return;
      if (kind === 'retry' && codes.some((c) => THROTTLING.has(c))) {
        throw new CommitThrottledError(`the transaction was still throttled after ${attempt} attempts: ${codes.join(', ')}`, { cause: error });
      }
      throw new CommitConflictError(`the transaction was cancelled: ${codes.join(', ') || 'no reason given'}`, { cause: error });
    }
  }
}

export async function commitPlans(deps: StoreDeps, plans: readonly ScopePlan[], options: CommitOptions): Promise<CommitResult> {
  const result: CommitResult = { sequences: [], changes: 0, completedScopes: [], scopes: new Map() };
  const progress = new Map<string, CommittedScope>();
  const withChanges = plans.filter((p) => p.changes.length > 0);
  const txs = packTransactions(withChanges);
  // Per scope: the head version the next part must find, and the running region count.
  const expected = new Map(withChanges.map((p) => [p.scope, p.expected]));
  const counts = new Map(withChanges.map((p) => [p.scope, p.previousCount]));
  const countAfter = (part: TxPart) =>
    (counts.get(part.plan.scope) ?? 0) +
    part.changes.filter((c) => c.type === 'region.added').length -
    part.changes.filter((c) => c.type === 'region.removed').length;

  let seq = txs.length ? await readSeqValue(deps) : 0;
  try {
    for (const [index, tx] of txs.entries()) {
      if (index > 0) crashPoint('between-transactions');
      const input = buildTransaction(tx, {
        table: deps.table,
        seq,
        ...options,
        expected: (part) => expected.get(part.plan.scope) ?? part.plan.expected,
        countAfter,
      });
      await send(deps, input, { seq: seq + 1, ids: tx.flatMap((part) => part.changes.map((c) => c.id)) });
      seq += 1;
      result.sequences.push(seq);
      noteCommitted(progress, tx, seq);
      for (const part of tx) {
        counts.set(part.plan.scope, countAfter(part));
        expected.set(part.plan.scope, { exists: true, version: seq });
        result.changes += part.changes.length;
        if (part.final) {
          result.completedScopes.push(part.plan.scope);
          result.scopes.set(part.plan.scope, progress.get(part.plan.scope)!);
        }
      }
    }
    for (const plan of plans.filter((p) => p.changes.length === 0)) {
      await send(deps, buildHeadOnly(plan, { table: deps.table, ...options }));
      result.completedScopes.push(plan.scope);
      // A head-only write keeps the scope's version.
      result.scopes.set(plan.scope, { version: plan.expected.version, changes: [] });
    }
  } catch (error: unknown) {
    if (error instanceof CommitConflictError) throw new ScopeConflictError(result, { cause: error });
    if (error instanceof CommitThrottledError) throw new ScopeThrottledError(result, { cause: error });
    throw error;
  }
  return result;
}
