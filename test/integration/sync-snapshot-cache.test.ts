/**
 * The warm snapshot cache (lib/sync/snapshot-cache) against DynamoDB Local:
 * two handler instances (two warm Lambda environments) share one table; a
 * pass of one commits between two passes of the other, and the other still
 * diffs against what is stored. A commit that fails part-way (before or after
 * DynamoDB applied it) leaves no stale entry. Checked against the simulator's
 * data (the truth) and the change records' before/after chain.
 */
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/core/log';
import type { Change } from '../../lib/core/region';
import { createDocumentClient } from '../../lib/store/client';
import { decodeRegion, PK, type RegionItem } from '../../lib/store/items';
import { createEventBridgeClient } from '../../lib/sync/eventbridge';
import { createSyncHandler } from '../../lib/sync/handler';
import { createHarness, type Harness } from '../support/harness';

let h: Harness;
const clients: Array<{ destroy(): void }> = [];
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await h.close();
});

const context = { functionName: 'sync', awsRequestId: 'cache-test' } as Context;

interface Instance {
  pass(): ReturnType<ReturnType<typeof createSyncHandler>>;
  /** Region Queries (reads of a scope's stored regions) since the last reset. */
  regionReads: number;
  /** Its log lines (info and above). */
  logLines: string[];
  /** Makes the `at`-th TransactWriteItems from now fail: before it is sent, or after DynamoDB applied it (the answer lost). */
  failTransaction?: { at: number; when: 'before' | 'after' } | undefined;
}

/** A second (third) sync function environment: its own clients and snapshot cache, the same table. */
function instance(): Instance {
  const doc: DynamoDBDocumentClient = createDocumentClient({ region: 'us-east-1', endpoint: h.table.endpoint });
  const events = createEventBridgeClient({ region: 'us-east-1', endpoint: h.receiver.endpoint });
  clients.push(doc, events);
  const self: Instance = { pass: () => handler({}, context), regionReads: 0, logLines: [] };
  const send = doc.send.bind(doc) as (...args: unknown[]) => Promise<unknown>;
  (doc as unknown as { send: typeof send }).send = async (...args: unknown[]) => {
    const command = args[0];
    if (command instanceof QueryCommand && command.input.ExpressionAttributeValues?.[':pk'] === PK.region) self.regionReads++;
    if (command instanceof TransactWriteCommand && self.failTransaction && --self.failTransaction.at === 0) {
      const { when } = self.failTransaction;
      self.failTransaction = undefined;
      if (when === 'before') throw new Error('socket hang up (test)');
      await send(...args);
      throw new Error('socket hang up after the write (test)');
    }
    return send(...args);
  };
  const log = createLogger({ test: true }, (line) => self.logLines.push(line), 'info');
  const handler = createSyncHandler(h.config, { store: { doc, table: h.table.tableName }, events, log, pass: { backoffMs: 5, publish: { leaseWaitMs: 3_000, backoffMs: 5 } } });
  return self;
}

/** The stored Zilliz regions, regionKey → apiBaseUrl. */
async function storedZilliz(): Promise<Map<string, string | null>> {
  const out = await h.table.doc.send(
    new QueryCommand({ TableName: h.table.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': PK.region, ':p': 'zilliz/' }, ConsistentRead: true }),
  );
  return new Map(((out.Items ?? []) as RegionItem[]).map(decodeRegion).map((r) => [r.id, r.apiBaseUrl]));
}

/** The simulator's Zilliz regions, the same shape: the truth. */
function truthZilliz(): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const list of Object.values(h.zilliz.data.regions)) for (const r of list ?? []) out.set(`zilliz:${String(r.regionId)}`, (r.apiBaseUrl as string | undefined) ?? null);
  return out;
}

const sorted = (m: Map<string, unknown>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

/** Each region's change records chain: every before is the previous after, and added / removed only at the ends. */
function expectChained(changes: readonly Change[]): void {
  const last = new Map<string, Change>();
  for (const change of changes) {
    const previous = last.get(change.regionKey);
    if (change.type === 'region.added') expect(previous === undefined || previous.type === 'region.removed').toBe(true);
    else expect(change.before).toEqual(previous?.after);
    last.set(change.regionKey, change);
  }
}

const WEST = 'aws-us-west-2';

describe('the warm snapshot cache', () => {
  it('a pass after another environment committed the same scope diffs against what that pass stored', async () => {
    const a = instance();
    const b = instance();
    expect((await a.pass()).changes).toBe(25);
    expect((await b.pass()).changes).toBe(0);

    h.zilliz.updateRegion('aws', WEST, { apiBaseUrl: 'https://v1.example' });
    expect((await b.pass()).changes).toBe(1);

    // A's entry for zilliz/aws is at the version A committed; B moved it: A must read the table.
    h.zilliz.updateRegion('aws', WEST, { apiBaseUrl: 'https://v2.example' });
    h.zilliz.removeRegion('aws', 'aws-ap-east-1');
    a.regionReads = 0;
    a.logLines.length = 0;
    const second = await a.pass();
    expect(second.ok).toBe(true);
    expect(second.changes).toBe(2);
    // Read once, before planning: no plan on the old entry lost its condition and was retried.
    expect(a.regionReads).toBe(1);
    expect(a.logLines.filter((l) => l.includes('commit lost to a concurrent pass'))).toEqual([]);

    // Now A's entry is what A committed: the next change in that scope is diffed from memory.
    h.zilliz.updateRegion('aws', WEST, { apiBaseUrl: 'https://v3.example' });
    a.regionReads = 0;
    expect((await a.pass()).changes).toBe(1);
    expect(a.regionReads).toBe(0);
    // And B, whose entry is older, reads again and finds nothing left to do.
    b.regionReads = 0;
    h.zilliz.updateRegion('aws', WEST, { apiBaseUrl: 'https://v4.example' });
    expect((await b.pass()).changes).toBe(1);
    expect(b.regionReads).toBe(1);

    const changes = await h.committedChanges();
    const west = changes.filter((c) => c.regionKey === `zilliz:${WEST}`);
    expect(west.map((c) => [c.type, c.after?.apiBaseUrl ?? null])).toEqual([
      ['region.added', null],
      ['region.changed', 'https://v1.example'],
      ['region.changed', 'https://v2.example'],
      ['region.changed', 'https://v3.example'],
      ['region.changed', 'https://v4.example'],
    ]);
    expect(changes.filter((c) => c.regionKey === 'zilliz:aws-ap-east-1').map((c) => c.type)).toEqual(['region.added', 'region.removed']);
    expectChained(changes);
    expect(new Set(changes.map((c) => c.id)).size).toBe(changes.length);
    expect(sorted(await storedZilliz())).toEqual(sorted(truthZilliz()));
  });

  for (const when of ['before', 'after'] as const) {
    it(`a scope split over transactions whose second part fails ${when} DynamoDB applies it is read again and completed`, async () => {
      const a = instance();
      await a.pass();
      // 60 additions in one scope: more than one transaction (two items each).
      for (let i = 0; i < 60; i++) h.zilliz.addRegion('gcp', { cloudId: 'gcp', regionId: `gcp-test-${String(i).padStart(2, '0')}`, apiBaseUrl: `https://t${i}.example` });
      h.zilliz.updateRegion('aws', WEST, { apiBaseUrl: 'https://moved.example' });
      // The first transaction goes through; the second (the rest of the split scope) fails.
      a.failTransaction = { at: 2, when };
      const failed = await a.pass();
      expect(failed.ok).toBe(false);
      expect(failed.scopes.filter((s) => s.outcome === 'failed').map((s) => s.error?.code)).toContain('store.commit');

      a.regionReads = 0;
      const next = await a.pass();
      expect(next.ok).toBe(true);
      // Not applied: the rest of the scope is diffed from the table. Applied: nothing is left to do.
      if (when === 'before') expect(a.regionReads).toBeGreaterThan(0);
      else expect(next.changes).toBe(0);
      const after = await a.pass();
      expect(after.changes).toBe(0);

      const changes = await h.committedChanges();
      const added = changes.filter((c) => c.regionKey.startsWith('zilliz:gcp-test-'));
      expect(added).toHaveLength(60);
      expect(new Set(added.map((c) => c.regionKey)).size).toBe(60);
      expect(changes.filter((c) => c.regionKey === `zilliz:${WEST}` && c.type === 'region.changed')).toHaveLength(1);
      expectChained(changes);
      expect(sorted(await storedZilliz())).toEqual(sorted(truthZilliz()));
    });
  }
});
