/**
 * Building commits, pure. Plans are packed into transactions that each stay
 * under DynamoDB's 100-item limit and keep their changeset item well under
 * 400 KB; each transaction moves SEQ from n to n+1, puts changeset n+1 and
 * writes its regions and scope heads, every write under a condition on what
 * the plan read. A scope split over several transactions writes its real hash
 * only with its last part, so a crash in between never lets the next pass
 * skip the rest. Each change also puts its region's history item
 * (`HISTORY#<regionKey>`) in the same transaction, so it costs two items.
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ScopePlan } from './plans';
import type { Change } from '../core/region';
import { changesKey, historyPartition, historySortKey, regionKeyOf, SEQ_KEY, scopeKey, type HistoryItem } from './items';
import { expiresAt, removalsHeldEvent } from './outbox';

export { expiresAt };

export const MAX_TRANSACTION_ITEMS = 100;
/** Changeset body budget: far under 400 KB, whatever the attribute overhead. */
export const MAX_CHANGESET_BYTES = 300_000;
/**
 * Items a change writes: its region (put or delete) and its history item. The
 * history items repeat the changeset's bytes, so a transaction carries at most
 * about 2 x 300 KB of change JSON plus the region bodies, far under the 4 MB a
 * TransactWriteItems request may carry; each item stays under 400 KB because a
 * region is capped at 60 KB (a change holds two).
 */
export const ITEMS_PER_CHANGE = 2;

export interface TxPart {
  plan: ScopePlan;
  changes: Change[];
  /** The plan's last part: writes its final head (hash, hold) and its `Removals Held` event. */
  final: boolean;
}

export type Tx = TxPart[];

const byteLength = (change: Change) => Buffer.byteLength(JSON.stringify(change));

/** Packs plans with changes into transactions; plans keep their order and each part its changes' order. */
export function packTransactions(plans: readonly ScopePlan[], maxItems = MAX_TRANSACTION_ITEMS, maxBytes = MAX_CHANGESET_BYTES): Tx[] {
  const txs: Tx[] = [];
  let tx: Tx = [];
  let items = 2; // SEQ + changeset
  let bytes = 2;
  const flush = () => {
    if (tx.length) txs.push(tx);
    tx = [];
    items = 2;
    bytes = 2;
  };
  for (const plan of plans) {
    if (plan.changes.length === 0) continue;
    let part: TxPart | undefined;
    plan.changes.forEach((change, index) => {
      const last = index === plan.changes.length - 1;
      // A new part costs its scope head; the last change brings the outbox item when a hold starts.
      const extra = (part ? 0 : 1) + (last && plan.holdStarted ? 1 : 0);
      const size = byteLength(change) + 1;
      if (items + ITEMS_PER_CHANGE + extra > maxItems || (bytes + size > maxBytes && items > 2)) {
        flush();
        part = undefined;
      }
      if (!part) {
        part = { plan, changes: [], final: false };
        tx.push(part);
        items += 1;
      }
      part.changes.push(change);
      items += ITEMS_PER_CHANGE + (last && plan.holdStarted ? 1 : 0);
      bytes += size;
    });
    if (part) (part as TxPart).final = true;
  }
  flush();
  return txs;
}

export interface BuildOptions {
  table: string;
  /** The SEQ value read before this commit; the transaction moves it to seq + 1. */
  seq: number;
  now: string;
  retentionDays: number;
  /** Per scope, the head version this part must find (the plan's, or the previous part's seq). */
  expected: (part: TxPart) => { exists: boolean; version: number };
  /** Region count of the scope after this part. */
  countAfter: (part: TxPart) => number;
  newId: () => string;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export function buildTransaction(tx: Tx, o: BuildOptions): TransactWriteCommandInput {
  const next = o.seq + 1;
  const ttl = expiresAt(o.now, o.retentionDays);
  const changes = tx.flatMap((part) => part.changes);
  const items: TransactItem[] = [
    {
      Update: {
        TableName: o.table,
        Key: SEQ_KEY,
        UpdateExpression: 'SET #value = :next, committedAt = :now',
        // Two passes cannot both take n+1: the loser re-reads and re-diffs.
        ConditionExpression: o.seq === 0 ? 'attribute_not_exists(pk) OR #value = :prev' : '#value = :prev',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':next': next, ':prev': o.seq, ':now': o.now },
      },
    },
    {
      Put: {
        TableName: o.table,
        Item: { ...changesKey(next), seq: next, body: JSON.stringify(changes), count: changes.length, committedAt: o.now, expiresAt: ttl },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  for (const part of tx) {
    items.push(scopeHeadUpdate(part, o, next));
    for (const change of part.changes) {
      items.push(regionWrite(change, part.plan, o.table, next));
      items.push({ Put: { TableName: o.table, Item: historyItem(change, next, ttl), ConditionExpression: 'attribute_not_exists(pk)' } });
    }
    if (part.final && part.plan.holdStarted) {
      items.push({ Put: { TableName: o.table, Item: removalsHeldEvent(part.plan, o.now, { newId: o.newId, ttl }) } });
    }
  }
  return { TransactItems: items };
}

/** The history item of one change: keyed by region, sorted by sequence, expiring with its changeset. */
export function historyItem(change: Change, seq: number, ttl: number): HistoryItem {
  return { pk: historyPartition(change.regionKey), sk: historySortKey(seq, change.id), seq, body: JSON.stringify(change), expiresAt: ttl };
}

function headCondition(expected: { exists: boolean; version: number }) {
  return expected.exists
    ? { ConditionExpression: '#version = :expected', values: { ':expected': expected.version } }
    : { ConditionExpression: 'attribute_not_exists(pk)', values: {} };
}

function scopeHeadUpdate(part: TxPart, o: BuildOptions, version: number): TransactItem {
  const { plan, final } = part;
  const condition = headCondition(o.expected(part));
  const set = ['#version = :version', '#source = :source', 'regionCount = :count', '#hash = :hash'];
  const values: Record<string, unknown> = {
    ':version': version,
    ':source': plan.source,
    ':count': o.countAfter(part),
    ':hash': final ? plan.head.hash : '',
    ...condition.values,
  };
  let expression = `SET ${set.join(', ')}`;
  if (final && plan.head.hold) {
    expression += ', #hold = :hold';
    values[':hold'] = plan.head.hold;
  } else if (final) {
    expression += ' REMOVE #hold';
  }
  return {
    Update: {
      TableName: o.table,
      Key: scopeKey(plan.scope),
      UpdateExpression: expression,
      ConditionExpression: condition.ConditionExpression,
      ExpressionAttributeNames: { '#version': 'version', '#source': 'source', '#hash': 'hash', ...(final ? { '#hold': 'hold' } : {}) },
      ExpressionAttributeValues: values,
    },
  };
}

function regionWrite(change: Change, plan: ScopePlan, table: string, seq: number): TransactItem {
  const key = regionKeyOf(plan.scope, change.regionId);
  // A stored region is written only over the commit that last wrote it.
  const overPrior = { ConditionExpression: '#seq = :prior', ExpressionAttributeNames: { '#seq': 'seq' }, ExpressionAttributeValues: { ':prior': plan.priorSeq[change.regionKey] } };
  if (change.type === 'region.removed') return { Delete: { TableName: table, Key: key, ...overPrior } };
  const item = { ...key, scope: plan.scope, body: JSON.stringify(change.after), seq };
  const condition = change.type === 'region.added' ? { ConditionExpression: 'attribute_not_exists(pk)' } : overPrior;
  return { Put: { TableName: table, Item: item, ...condition } };
}

/** A plan with no change but a new head (a hold counted, a first empty answer): no sequence, no changeset. */
export function buildHeadOnly(plan: ScopePlan, o: Pick<BuildOptions, 'table' | 'now' | 'retentionDays' | 'newId'>): TransactWriteCommandInput {
  const part: TxPart = { plan, changes: [], final: true };
  const head = scopeHeadUpdate(
    part,
    { ...o, seq: 0, expected: () => plan.expected, countAfter: () => plan.head.regionCount },
    plan.expected.version,
  );
  // The version stays, so two passes that read the same head would both pass its condition (and both
  // announce one hold: chaos seed 48): the head as read, hash and hold, is part of the condition.
  const read = plan.expected;
  if (read.exists && read.hash !== undefined && head.Update) {
    const held = read.hold ? '#hold.passes = :readPasses AND #hold.since = :readSince' : 'attribute_not_exists(#hold)';
    head.Update.ConditionExpression = `${head.Update.ConditionExpression} AND #hash = :readHash AND ${held}`;
    head.Update.ExpressionAttributeValues = {
      ...head.Update.ExpressionAttributeValues,
      ':readHash': read.hash,
      ...(read.hold ? { ':readPasses': read.hold.passes, ':readSince': read.hold.since } : {}),
    };
  }
  const items: TransactItem[] = [head];
  if (plan.holdStarted) {
    items.push({ Put: { TableName: o.table, Item: removalsHeldEvent(plan, o.now, { newId: o.newId, ttl: expiresAt(o.now, o.retentionDays) }) } });
  }
  return { TransactItems: items };
}
