// Packing plans into DynamoDB transactions and building each transaction's writes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScopePlan } from '../../../lib/store/plans';
import type { Change, Region } from '../../../lib/core/region';
import { buildHeadOnly, buildTransaction, MAX_CHANGESET_BYTES, MAX_TRANSACTION_ITEMS, packTransactions, type BuildOptions, type Tx, type TxPart } from '../../../lib/store/transactions';

const T0 = '2026-11-23T10:00:00.000Z';
const T1 = '2026-11-23T10:15:00.000Z';
const TABLE = 'region-sync-test';

function region(regionId: string, padding = 0): Region {
  return {
    id: `zilliz:${regionId}`,
    source: 'zilliz',
    cloudId: 'aws',
    regionId,
    name: regionId,
    localizedNames: {},
    apiBaseUrl: `https://api.${regionId}.zillizcloud.com`,
    attributes: padding ? { note: 'x'.repeat(padding) } : {},
    firstSeenAt: T0,
    updatedAt: T1,
  };
}

function change(type: Change['type'], regionId: string, scope = 'zilliz/aws', padding = 0): Change {
  const r = region(regionId, padding);
  return {
    id: `${scope}:${type}:${regionId}`,
    type,
    regionKey: r.id,
    source: 'zilliz',
    scope,
    regionId,
    before: type === 'region.added' ? null : { ...r, updatedAt: T0 },
    after: type === 'region.removed' ? null : r,
    changedFields: type === 'region.changed' ? ['apiBaseUrl'] : [],
    detectedAt: T1,
    summary: regionId,
  };
}

function plan(scope: string, changes: Change[], overrides: Partial<ScopePlan> = {}): ScopePlan {
  const priorSeq: Record<string, number> = {};
  for (const c of changes) if (c.type !== 'region.added') priorSeq[c.regionKey] = 5;
  return {
    scope,
    source: 'zilliz',
    expected: { exists: true, version: 5 },
    changes,
    priorSeq,
    previousCount: 10,
    head: { hash: `hash-of-${scope}`, regionCount: 10, hold: undefined },
    holdStarted: false,
    ...overrides,
  };
}

function options(seq: number): BuildOptions {
  let n = 0;
  return {
    table: TABLE,
    seq,
    now: T1,
    retentionDays: 30,
    expected: (part) => part.plan.expected,
    countAfter: (part) => part.plan.head.regionCount,
    newId: () => `01JDQ8Z4Y3K3V0W7N2C5R8T6A${n++}`,
  };
}

const heldPlan = (changes: Change[]) =>
  plan('zilliz/gcp', changes, {
    holdStarted: true,
    previousCount: 6,
    head: { hash: 'held-hash', regionCount: 7, hold: { regionIds: ['zilliz:gcp-a', 'zilliz:gcp-b', 'zilliz:gcp-c', 'zilliz:gcp-d'], passes: 1, since: T1 } },
  });

const added = (n: number, scope = 'zilliz/aws', padding = 0) => Array.from({ length: n }, (_, i) => change('region.added', `r-${String(i).padStart(4, '0')}`, scope, padding));

type Item = NonNullable<ReturnType<typeof buildTransaction>['TransactItems']>[number];
const items = (tx: Tx, seq = 5): Item[] => buildTransaction(tx, options(seq)).TransactItems ?? [];
const changesetBody = (tx: Tx) => {
  const put = items(tx).find((i) => i.Put?.Item?.pk === 'CHANGES');
  return String(put?.Put?.Item?.body);
};

describe('packTransactions', () => {
  it('keeps every transaction at or under 100 items', () => {
    const txs = packTransactions([plan('zilliz/aws', added(250)), plan('zilliz/gcp', added(120, 'zilliz/gcp'))]);
    expect(txs.length).toBeGreaterThan(3);
    for (const tx of txs) expect(items(tx).length).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
    expect(txs.flat().flatMap((p) => p.changes)).toHaveLength(370);
  });

  it('keeps every changeset under the byte budget', () => {
    const big = added(60, 'zilliz/aws', 20_000);
    const txs = packTransactions([plan('zilliz/aws', big)]);
    expect(txs.length).toBeGreaterThan(1);
    for (const tx of txs) expect(Buffer.byteLength(changesetBody(tx))).toBeLessThanOrEqual(MAX_CHANGESET_BYTES);
  });

  it('honours a small item limit, counting the scope head and a history item per change', () => {
    const txs = packTransactions([plan('zilliz/aws', added(7))], 7);
    // SEQ + changeset + head + 2 x (region + history) per transaction.
    expect(txs.map((tx) => tx.flatMap((p) => p.changes).length)).toEqual([2, 2, 2, 1]);
    for (const tx of txs) expect(items(tx).length).toBeLessThanOrEqual(7);
  });

  it('fills a transaction to exactly 100 items and no further: 48 changes of one scope', () => {
    const txs = packTransactions([plan('zilliz/aws', added(48 + 49))]);
    expect(txs.map((tx) => tx.flatMap((p) => p.changes).length)).toEqual([48, 48, 1]);
    // 2 (SEQ, changeset) + 1 head + 48 x 2 = 99: a 49th change would make 101.
    expect(items(txs[0]!).length).toBe(99);
    for (const tx of txs) expect(items(tx).length).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
  });

  it('uses the 100th item when a second scope head fits beside the first', () => {
    // 2 + (1 head + 47 x 2) + (1 head + 1 x 2) = 100 items.
    const txs = packTransactions([plan('zilliz/aws', added(47)), plan('zilliz/gcp', added(2, 'zilliz/gcp'))]);
    expect(txs.map((tx) => tx.map((p) => p.changes.length))).toEqual([[47, 1], [1]]);
    expect(items(txs[0]!).length).toBe(100);
  });

  it('keeps the history items of a transaction under the changeset byte budget too', () => {
    const big = added(30, 'zilliz/aws', 25_000);
    const txs = packTransactions([plan('zilliz/aws', big)]);
    expect(txs.length).toBeGreaterThan(1);
    for (const tx of txs) {
      const history = items(tx).filter((i) => String(i.Put?.Item?.pk).startsWith('HISTORY#'));
      const bytes = history.reduce((n, i) => n + Buffer.byteLength(String(i.Put?.Item?.body)), 0);
      expect(bytes).toBeLessThanOrEqual(MAX_CHANGESET_BYTES);
      expect(history).toHaveLength(tx.reduce((n, p) => n + p.changes.length, 0));
    }
  });

  it('honours a small byte limit', () => {
    const changes = added(6);
    const one = Buffer.byteLength(JSON.stringify(changes[0]));
    const txs = packTransactions([plan('zilliz/aws', changes)], 100, 2 * one + 10);
    expect(txs.map((tx) => tx.flatMap((p) => p.changes).length)).toEqual([2, 2, 2]);
    for (const tx of txs) expect(Buffer.byteLength(changesetBody(tx))).toBeLessThanOrEqual(2 * one + 10);
  });

  it('marks only the last part of a split plan final', () => {
    const txs = packTransactions([plan('zilliz/aws', added(7))], 7);
    expect(txs.flat().map((p) => p.final)).toEqual([false, false, false, true]);
  });

  it('puts several small plans in one transaction, in order, each final', () => {
    const txs = packTransactions([plan('zilliz/aws', added(2)), plan('zilliz/gcp', added(3, 'zilliz/gcp')), plan('zilliz/azure', added(1, 'zilliz/azure'))]);
    expect(txs).toHaveLength(1);
    expect(txs[0]?.map((p) => [p.plan.scope, p.changes.length, p.final])).toEqual([
      ['zilliz/aws', 2, true],
      ['zilliz/gcp', 3, true],
      ['zilliz/azure', 1, true],
    ]);
  });

  it('skips plans without changes', () => {
    expect(packTransactions([plan('zilliz/aws', [])])).toEqual([]);
  });

  it('leaves room for the Removals Held item in the final part', () => {
    const txs = packTransactions([heldPlan(added(3, 'zilliz/gcp'))], 6);
    for (const tx of txs) expect(items(tx).length).toBeLessThanOrEqual(6);
    expect(txs.flatMap((tx) => items(tx)).filter((i) => i.Put?.Item?.pk === 'OUTBOX')).toHaveLength(1);
  });

  it('packs random plans: every change once, in order, last part final, within limits', () => {
    const changeArb = fc.record({
      type: fc.constantFrom<Change['type']>('region.added', 'region.changed', 'region.removed'),
      padding: fc.integer({ min: 0, max: 2000 }),
    });
    const planArb = fc.record({ changes: fc.array(changeArb, { maxLength: 40 }), holdStarted: fc.boolean() });
    fc.assert(
      fc.property(fc.array(planArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 6, max: 40 }), fc.integer({ min: 1000, max: 40_000 }), (specs, maxItems, maxBytes) => {
        const plans = specs.map((spec, p) =>
          plan(
            `zilliz/c${p}`,
            spec.changes.map((c, i) => change(c.type, `r-${i}`, `zilliz/c${p}`, c.padding)),
            spec.holdStarted ? { holdStarted: true, head: { hash: 'h', regionCount: 1, hold: { regionIds: ['zilliz:x'], passes: 1, since: T1 } } } : {},
          ),
        );
        const txs = packTransactions(plans, maxItems, maxBytes);
        const parts: TxPart[] = txs.flat();
        // Every change exactly once, in plan order then change order.
        expect(parts.flatMap((p) => p.changes)).toEqual(plans.flatMap((p) => p.changes));
        for (const p of plans) {
          const own = parts.filter((part) => part.plan === p);
          if (p.changes.length === 0) {
            expect(own).toEqual([]);
            continue;
          }
          expect(own.map((part) => part.final)).toEqual(own.map((_, i) => i === own.length - 1));
          expect(own.every((part) => part.changes.length > 0)).toBe(true);
        }
        for (const tx of txs) {
          expect(tx.length).toBeGreaterThan(0);
          // At most one part of a scope per transaction: DynamoDB refuses two writes to one item.
          expect(new Set(tx.map((p) => p.plan.scope)).size).toBe(tx.length);
          const built = items(tx);
          expect(built.length).toBeLessThanOrEqual(maxItems);
          const changeCount = tx.reduce((n, p) => n + p.changes.length, 0);
          if (changeCount > 1) expect(Buffer.byteLength(changesetBody(tx))).toBeLessThanOrEqual(maxBytes);
        }
        const outbox = txs.flatMap((tx) => items(tx)).filter((i) => i.Put?.Item?.pk === 'OUTBOX');
        expect(outbox).toHaveLength(plans.filter((p) => p.holdStarted && p.changes.length > 0).length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('buildTransaction', () => {
  const mixed = plan('zilliz/aws', [change('region.added', 'aws-ca-central-1'), change('region.changed', 'aws-us-west-2'), change('region.removed', 'aws-ap-east-1')], {
    priorSeq: { 'zilliz:aws-us-west-2': 3, 'zilliz:aws-ap-east-1': 4 },
  });
  const tx: Tx = [{ plan: mixed, changes: mixed.changes, final: true }];

  it('moves SEQ from the value read to the next, conditioned on the value read', () => {
    const seq = items(tx, 41)[0]?.Update;
    expect(seq?.Key).toEqual({ pk: 'SEQ', sk: 'SEQ' });
    expect(seq?.ConditionExpression).toBe('#value = :prev');
    expect(seq?.ExpressionAttributeNames).toEqual({ '#value': 'value' });
    expect(seq?.ExpressionAttributeValues).toMatchObject({ ':prev': 41, ':next': 42 });
  });

  it('accepts a missing SEQ item on the very first commit', () => {
    const seq = items(tx, 0)[0]?.Update;
    expect(seq?.ConditionExpression).toBe('attribute_not_exists(pk) OR #value = :prev');
    expect(seq?.ExpressionAttributeValues).toMatchObject({ ':prev': 0, ':next': 1 });
  });

  it('puts the changeset of the next sequence only if it does not exist yet', () => {
    const put = items(tx, 41)[1]?.Put;
    expect(put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put?.Item).toMatchObject({ pk: 'CHANGES', sk: '000000000042', seq: 42, count: 3, committedAt: T1 });
    expect(JSON.parse(String(put?.Item?.body))).toEqual(mixed.changes);
    expect(put?.Item?.expiresAt).toBe(Math.floor(Date.parse(T1) / 1000) + 30 * 86_400);
  });

  it('puts an added region only where none exists', () => {
    const put = items(tx).find((i) => i.Put?.Item?.sk === 'zilliz/aws#aws-ca-central-1')?.Put;
    expect(put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put?.Item).toMatchObject({ pk: 'REGION', scope: 'zilliz/aws', seq: 6 });
    expect(JSON.parse(String(put?.Item?.body))).toEqual(mixed.changes[0]?.after);
  });

  it('replaces a changed region only at the sequence it was read at', () => {
    const put = items(tx).find((i) => i.Put?.Item?.sk === 'zilliz/aws#aws-us-west-2')?.Put;
    expect(put?.ConditionExpression).toBe('#seq = :prior');
    expect(put?.ExpressionAttributeNames).toEqual({ '#seq': 'seq' });
    expect(put?.ExpressionAttributeValues).toEqual({ ':prior': 3 });
    expect(put?.Item?.seq).toBe(6);
  });

  it('puts one history item per change, keyed by region and sequence, expiring with the changeset', () => {
    const built = items(tx, 41);
    const history = built.filter((i) => String(i.Put?.Item?.pk).startsWith('HISTORY#')).map((i) => i.Put);
    expect(history.map((h) => [h?.Item?.pk, h?.Item?.sk])).toEqual(
      mixed.changes.map((c) => [`HISTORY#${c.regionKey}`, `000000000042#${c.id}`]),
    );
    const changeset = built[1]?.Put?.Item;
    for (const [i, h] of history.entries()) {
      expect(h?.ConditionExpression).toBe('attribute_not_exists(pk)');
      expect(h?.Item?.expiresAt).toBe(changeset?.expiresAt);
      expect(JSON.parse(String(h?.Item?.body))).toEqual(mixed.changes[i]);
    }
  });

  it('deletes a removed region only at the sequence it was read at', () => {
    const del = items(tx).find((i) => i.Delete)?.Delete;
    expect(del?.Key).toEqual({ pk: 'REGION', sk: 'zilliz/aws#aws-ap-east-1' });
    expect(del?.ConditionExpression).toBe('#seq = :prior');
    expect(del?.ExpressionAttributeValues).toEqual({ ':prior': 4 });
  });

  it('updates the scope head conditioned on the version read, with the real hash on the final part', () => {
    const head = items(tx).find((i) => i.Update?.Key?.pk === 'SCOPE')?.Update;
    expect(head?.Key).toEqual({ pk: 'SCOPE', sk: 'zilliz/aws' });
    expect(head?.ConditionExpression).toBe('#version = :expected');
    expect(head?.ExpressionAttributeValues).toMatchObject({ ':expected': 5, ':version': 6, ':hash': 'hash-of-zilliz/aws', ':count': 10 });
    expect(head?.UpdateExpression).toContain('REMOVE #hold');
  });

  it('creates a scope head only where none exists', () => {
    const fresh = plan('zilliz/gcp', added(1, 'zilliz/gcp'), { expected: { exists: false, version: 0 } });
    const head = items([{ plan: fresh, changes: fresh.changes, final: true }]).find((i) => i.Update?.Key?.pk === 'SCOPE')?.Update;
    expect(head?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(head?.ExpressionAttributeValues).not.toHaveProperty(':expected');
  });

  it('writes an empty hash and leaves the hold alone on a non-final part', () => {
    const head = items([{ plan: mixed, changes: mixed.changes.slice(0, 1), final: false }]).find((i) => i.Update?.Key?.pk === 'SCOPE')?.Update;
    expect(head?.ExpressionAttributeValues?.[':hash']).toBe('');
    expect(head?.UpdateExpression).not.toContain('#hold');
    expect(head?.ExpressionAttributeNames).not.toHaveProperty('#hold');
  });

  it('stores the hold and puts exactly one Removals Held item when the plan starts a hold', () => {
    const held = heldPlan([change('region.added', 'gcp-new', 'zilliz/gcp')]);
    const built = items([{ plan: held, changes: held.changes, final: true }]);
    const outbox = built.filter((i) => i.Put?.Item?.pk === 'OUTBOX');
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.Put?.Item).toMatchObject({ detailType: 'Removals Held' });
    expect(JSON.parse(String(outbox[0]?.Put?.Item?.detail))).toMatchObject({ scope: 'zilliz/gcp', heldCount: 4, previousCount: 6, heldRegionKeys: held.head.hold?.regionIds });
    const head = built.find((i) => i.Update?.Key?.pk === 'SCOPE')?.Update;
    expect(head?.UpdateExpression).toContain('#hold = :hold');
    expect(head?.ExpressionAttributeValues?.[':hold']).toEqual(held.head.hold);
  });

  it('puts one Removals Held item across all parts of a split held plan', () => {
    const held = heldPlan(added(9, 'zilliz/gcp'));
    const txs = packTransactions([held], 5);
    expect(txs.length).toBeGreaterThan(1);
    const outbox = txs.flatMap((t) => items(t)).filter((i) => i.Put?.Item?.pk === 'OUTBOX');
    expect(outbox).toHaveLength(1);
    expect(items(txs[txs.length - 1] ?? []).some((i) => i.Put?.Item?.pk === 'OUTBOX')).toBe(true);
  });
});

describe('buildHeadOnly', () => {
  const o = { table: TABLE, now: T1, retentionDays: 30, newId: () => '01JDQ8Z4Y3K3V0W7N2C5R8T6AB' };

  it('writes only the scope head, keeping its version, conditioned on it', () => {
    const p = plan('zilliz/aws', [], { head: { hash: 'h2', regionCount: 10, hold: { regionIds: ['zilliz:a'], passes: 2, since: T0 } } });
    const built = buildHeadOnly(p, o).TransactItems ?? [];
    expect(built).toHaveLength(1);
    const head = built[0]?.Update;
    expect(head?.Key).toEqual({ pk: 'SCOPE', sk: 'zilliz/aws' });
    expect(head?.ConditionExpression).toBe('#version = :expected');
    expect(head?.ExpressionAttributeValues).toMatchObject({ ':expected': 5, ':version': 5, ':hash': 'h2', ':count': 10, ':hold': p.head.hold });
  });

  it('adds one Removals Held item when the plan starts a hold', () => {
    const built = buildHeadOnly(heldPlan([]), o).TransactItems ?? [];
    expect(built).toHaveLength(2);
    expect(built.filter((i) => i.Put?.Item?.detailType === 'Removals Held')).toHaveLength(1);
    expect(built[1]?.Put?.Item).toMatchObject({ pk: 'OUTBOX', sk: '01JDQ8Z4Y3K3V0W7N2C5R8T6AB' });
  });

  it('is conditioned on the hash and hold read too, so two passes that read one head cannot both write it (chaos seed 48)', () => {
    const hold = { regionIds: ['zilliz:a'], passes: 1, since: T0 };
    const counted = plan('zilliz/aws', [], { expected: { exists: true, version: 5, hash: 'h1', hold }, head: { hash: 'h2', regionCount: 10, hold: { ...hold, passes: 2 } } });
    const head = (buildHeadOnly(counted, o).TransactItems ?? [])[0]?.Update;
    expect(head?.ConditionExpression).toBe('#version = :expected AND #hash = :readHash AND #hold.passes = :readPasses AND #hold.since = :readSince');
    expect(head?.ExpressionAttributeValues).toMatchObject({ ':readHash': 'h1', ':readPasses': 1, ':readSince': T0 });
    const started = plan('zilliz/aws', [], { expected: { exists: true, version: 5, hash: 'h1' }, head: { hash: 'h2', regionCount: 10, hold } });
    expect((buildHeadOnly(started, o).TransactItems ?? [])[0]?.Update?.ConditionExpression).toBe('#version = :expected AND #hash = :readHash AND attribute_not_exists(#hold)');
  });

  it('creates the head of a first, empty answer only where none exists', () => {
    const p = plan('zilliz/aws', [], { expected: { exists: false, version: 0 }, head: { hash: 'empty', regionCount: 0, hold: undefined } });
    const head = (buildHeadOnly(p, o).TransactItems ?? [])[0]?.Update;
    expect(head?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(head?.ExpressionAttributeValues).toMatchObject({ ':hash': 'empty', ':count': 0 });
  });
});
