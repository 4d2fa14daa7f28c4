/**
 * Sending a pass's plans: the transactions of lib/store/transactions one after
 * the other, each under its conditions, and the head-only writes. A condition
 * that fails means a concurrent pass got there first: CommitConflictError says
 * which scopes were already completed, and the caller re-reads and re-plans the
 * rest, so two passes never commit the same change twice.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CommitConflictError } from '../core/errors';
import { readSeq, type StoreDeps } from './deps';
import type { ScopePlan } from './plans';
import { buildHeadOnly, buildTransaction, packTransactions, type TxPart } from './transactions';

export interface CommitOptions {
  now: string;
  retentionDays: number;
  newId: () => string;
}

export interface CommitResult {
  /** Sequence numbers committed, in order. */
  sequences: number[];
  changes: number;
  completedScopes: string[];
}

export class ScopeConflictError extends CommitConflictError {
  constructor(readonly completed: CommitResult, options?: { cause?: unknown }) {
    super('a concurrent pass committed first', options);
  }
}

export async function readSeqValue({ doc, table, meter }: StoreDeps): Promise<number> {
  return (await readSeq(doc, table, meter)).version;
}

function isConflict(error: unknown): boolean {
  return error instanceof TransactionCanceledException;
}

async function send(deps: StoreDeps, input: ReturnType<typeof buildHeadOnly>): Promise<void> {
  const out = await deps.doc.send(new TransactWriteCommand({ ...input }));
  deps.meter?.consumed('write', out.ConsumedCapacity);
}

export async function commitPlans(deps: StoreDeps, plans: readonly ScopePlan[], options: CommitOptions): Promise<CommitResult> {
  const result: CommitResult = { sequences: [], changes: 0, completedScopes: [] };
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
    for (const tx of txs) {
      const input = buildTransaction(tx, {
        table: deps.table,
        seq,
        ...options,
        expected: (part) => expected.get(part.plan.scope) ?? part.plan.expected,
        countAfter,
      });
      await send(deps, input);
      seq += 1;
      result.sequences.push(seq);
      for (const part of tx) {
        counts.set(part.plan.scope, countAfter(part));
        expected.set(part.plan.scope, { exists: true, version: seq });
        result.changes += part.changes.length;
        if (part.final) result.completedScopes.push(part.plan.scope);
      }
      deps.meter?.wrote('seq');
      deps.meter?.wrote('changeset');
      deps.meter?.wrote('region', tx.reduce((n, part) => n + part.changes.length, 0));
      deps.meter?.wrote('scope', tx.length);
    }
    for (const plan of plans.filter((p) => p.changes.length === 0)) {
      await send(deps, buildHeadOnly(plan, { table: deps.table, ...options }));
      deps.meter?.wrote('scope');
      result.completedScopes.push(plan.scope);
    }
  } catch (error: unknown) {
    if (isConflict(error)) throw new ScopeConflictError(result, { cause: error });
    throw error;
  }
  return result;
}
