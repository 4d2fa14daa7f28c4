/**
 * Commit behaviour under DynamoDB faults, through the fault proxy: a
 * transaction applied whose answer was lost is reported as made (not as a
 * conflict), and a cancelled transaction is read by its reasons: a failed
 * condition re-reads and re-plans, a transaction conflict or throttling
 * retries the same transaction, anything else fails the scopes at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { classifyCancellation } from '../../lib/store/commit';
import { startDynamoFaultProxy, type DynamoFaultProxy } from '../../local/dynamo-fault-proxy';
import { call, type TestHandler } from '../support/catalog-event';
import { createHarness, SAMPLE_REGIONS, type Harness } from '../support/harness';

let proxy: DynamoFaultProxy;
beforeAll(async () => {
  proxy = await startDynamoFaultProxy(inject('dynamoEndpoint'));
});
afterAll(() => proxy.close());

async function bench(run: (h: Harness) => Promise<void>): Promise<void> {
  proxy.clear();
  proxy.calls.clear();
  proxy.byKind.clear();
  proxy.injected = 0;
  const h = await createHarness({ storeEndpoint: proxy.endpoint });
  try {
    await run(h);
  } finally {
    await h.close();
  }
}

/** Every committed change id is unique and the sample is recorded exactly once. */
async function expectOnce(h: Harness): Promise<void> {
  const changes = await h.committedChanges();
  expect(changes).toHaveLength(SAMPLE_REGIONS);
  expect(new Set(changes.map((c) => c.regionKey)).size).toBe(SAMPLE_REGIONS);
}

describe('classifyCancellation (pure)', () => {
  it.each([
    [['ConditionalCheckFailed'], 'conflict'],
    [['ConditionalCheckFailed', 'TransactionConflict'], 'conflict'],
    [['TransactionConflict'], 'retry'],
    [['ThrottlingError'], 'retry'],
    [['ProvisionedThroughputExceeded', 'TransactionConflict'], 'retry'],
    [['ValidationError'], 'reject'],
    [['ConditionalCheckFailed', 'ValidationError'], 'reject'],
    [['ItemCollectionSizeLimitExceeded'], 'reject'],
    [[], 'conflict'],
  ] as const)('%j -> %s', (codes, kind) => {
    expect(classifyCancellation(codes)).toBe(kind);
  });
});

describe('commit under DynamoDB faults', () => {
  it('applied, then the connection dropped: the SDK retry reports the commit as made, once', async () => {
    await bench(async (h) => {
      proxy.inject('TransactWriteItems', 'applied-lost', 1);
      const summary = await h.pass();
      expect(proxy.injected).toBeGreaterThan(0);
      expect(summary.ok).toBe(true);
      expect(summary.changes).toBe(SAMPLE_REGIONS);
      expect(summary.sequences).toEqual([1]);
      expect(h.logLines.some((l) => l.includes('commit lost to a concurrent pass'))).toBe(false);
      await expectOnce(h);
    });
  });

  it('ConditionalCheckFailed: re-reads and re-plans, then commits', async () => {
    await bench(async (h) => {
      proxy.inject('TransactWriteItems', 'cancelled', 1, { reasons: ['ConditionalCheckFailed', 'None'] });
      const summary = await h.pass();
      expect(summary.ok).toBe(true);
      expect(h.logLines.some((l) => l.includes('commit lost to a concurrent pass; re-reading'))).toBe(true);
      await expectOnce(h);
    });
  });

  it.each(['TransactionConflict', 'ThrottlingError'])('%s: retries the same transaction without re-planning', async (code) => {
    // The transactions of the same first pass without faults (the commit, and the sources' first field sets).
    let clean = 0;
    await bench(async (h) => {
      await h.pass();
      clean = proxy.calls.get('TransactWriteItems') ?? 0;
    });
    expect(clean).toBeGreaterThan(0);
    await bench(async (h) => {
      proxy.inject('TransactWriteItems', 'cancelled', 2, { reasons: ['None', code] });
      const summary = await h.pass();
      expect(summary.ok).toBe(true);
      // Exactly the two cancelled attempts more: the same transaction sent again, nothing re-planned.
      expect(proxy.calls.get('TransactWriteItems')).toBe(clean + 2);
      expect(h.logLines.some((l) => l.includes('re-reading'))).toBe(false);
      await expectOnce(h);
    });
  });

  it('throttling through every retry: the scopes fail as store.throttled, not as a conflict, and nothing is re-planned', async () => {
    await bench(async (h) => {
      // Every attempt of the first transaction (the commit; the schema write comes after it).
      proxy.inject('TransactWriteItems', 'cancelled', 5, { reasons: ['None', 'ThrottlingError'] });
      const summary = await h.pass();
      expect(summary.ok).toBe(false);
      // The five commit attempts, and the scopes' status transaction after them.
      expect(proxy.calls.get('TransactWriteItems')).toBe(5 + 1);
      expect(summary.scopes.filter((s) => s.outcome === 'failed').map((s) => s.error?.code)).toEqual(summary.scopes.map(() => 'store.throttled'));
      expect(h.logLines.some((l) => l.includes('re-reading'))).toBe(false);
      expect(await h.committedChanges()).toHaveLength(0);
      const next = await h.pass();
      expect(next.ok).toBe(true);
      await expectOnce(h);
    });
  });

  it('ValidationError: fails the scopes at once, naming the reason, and commits nothing', async () => {
    await bench(async (h) => {
      proxy.inject('TransactWriteItems', 'cancelled', 1, { reasons: ['None', 'ValidationError'] });
      const summary = await h.pass();
      expect(summary.ok).toBe(false);
      // The commit, and the scopes' status transaction after it.
      expect(proxy.calls.get('TransactWriteItems')).toBe(1 + 1);
      expect(summary.scopes.filter((s) => s.outcome === 'failed').map((s) => s.error?.code)).toEqual(summary.scopes.map(() => 'store.commit'));
      expect(h.logLines.some((l) => l.includes('commit failed') && l.includes('ValidationError'))).toBe(true);
      expect(await h.committedChanges()).toHaveLength(0);
      const next = await h.pass();
      expect(next.ok).toBe(true);
      await expectOnce(h);
    });
  });

  /** Every scope fails, then recovers, with the status write of each pass applied and its answer lost. */
  async function lostStatusAnswers(operation: string, before?: () => void): Promise<void> {
    await bench(async (h) => {
      await h.pass();
      h.zilliz.faults.push({ kind: 'status', status: 500 }, { times: Infinity, match: { path: '/v1/regions' } });
      h.modelarts.faults.push({ kind: 'status', status: 500 }, { times: Infinity, match: { path: /custom-endpoint/ } });
      before?.();
      proxy.inject(operation, 'applied-lost', 1, { bodyIncludes: '{"S":"STATUS"}' });
      const summary = await h.pass();
      expect(proxy.byKind.get(`applied-lost ${operation}`)).toBe(1);
      expect(summary.scopes.map((s) => s.consecutiveFailures)).toEqual([1, 1, 1, 1]);
      const degraded = h.receiver.events.filter((e) => e.detailType === 'Source Degraded').map((e) => (e.detail as { scope: string }).scope);
      expect(degraded.sort()).toEqual(summary.scopes.map((s) => s.scope).sort());
      // And the recovery, with its status write lost the same way.
      h.zilliz.faults.clear();
      h.modelarts.faults.clear();
      before?.();
      proxy.inject(operation, 'applied-lost', 1, { bodyIncludes: '{"S":"STATUS"}' });
      await h.pass();
      expect(proxy.byKind.get(`applied-lost ${operation}`)).toBe(2);
      expect(h.receiver.events.filter((e) => e.detailType === 'Source Recovered')).toHaveLength(4);
    });
  }

  it('the scopes\' status transaction applied, then its answer lost: counted once, and the Source Degraded events still published', async () => {
    await lostStatusAnswers('TransactWriteItems');
  });

  it('without the status read (it failed), each scope\'s UpdateItem applied, then its answer lost: counted once, events published', async () => {
    // The pass's read of the STATUS items fails on every attempt (the client makes 5): each scope is written alone.
    await lostStatusAnswers('UpdateItem', () => proxy.inject('Query', 'internal-error', 5, { bodyIncludes: '{"S":"STATUS"}' }));
  });

  it('a first pass whose Zilliz discovery fails: the placeholder scope zilliz/* recovers once discovery works (chaos seeds 3, 4)', async () => {
    await bench(async (h) => {
      h.zilliz.faults.push({ kind: 'status', status: 500 }, { times: Infinity, match: { path: '/v1/clouds' } });
      const first = await h.pass();
      expect(first.scopes.find((s) => s.scope === 'zilliz/*')?.outcome).toBe('failed');
      h.zilliz.faults.clear();
      await h.pass();
      const catalog = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 });
      const { sources } = (await call(catalog as unknown as TestHandler, 'GET', '/sources')).json as { sources: { scope: string; status: string; consecutiveFailures: number }[] };
      expect(sources.find((s) => s.scope === 'zilliz/*')).toMatchObject({ status: 'ok', consecutiveFailures: 0 });
      expect(sources.every((s) => s.status === 'ok')).toBe(true);
    });
  });
});
