/**
 * One publisher drain as DynamoDB sees it and as EventBridge receives it. The
 * reads a drain makes are counted by a middleware on the SDK client's stack
 * (test/support/store-calls); racing drains are witnessed by the PutEvents
 * receiver's log: every committed change and every queued operational event
 * arrives exactly once.
 */
import { monotonicFactory } from 'ulid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/core/log';
import { createDocumentClient } from '../../lib/store/client';
import { expiresAt, schemaChangedEvent } from '../../lib/store/outbox';
import { putOutbox } from '../../lib/store/publish-state';
import { createEventBridgeClient } from '../../lib/sync/eventbridge';
import { publishPending, type PublishDeps } from '../../lib/sync/publish';
import { createHarness, type Harness } from '../support/harness';
import { countStoreCalls, type StoreCall } from '../support/store-calls';

let h: Harness;
let clients: { destroy(): void }[] = [];
const newId = monotonicFactory();
let queuedFields: string[] = [];

beforeEach(async () => {
  h = await createHarness();
  clients = [];
  queuedFields = [];
});
afterEach(async () => {
  for (const c of clients) c.destroy();
  await h.close();
});

/** A drain of its own: its own DynamoDB client (counted) and EventBridge client, towards the harness's table and receiver. */
function drain(owner: string, after?: (call: StoreCall) => void | Promise<void>): { deps: PublishDeps; counts: Record<string, number> } {
  const doc = createDocumentClient({ region: 'us-east-1', endpoint: h.table.endpoint });
  const events = createEventBridgeClient({ region: 'us-east-1', endpoint: h.receiver.endpoint });
  clients.push(doc, events);
  const counts = countStoreCalls(doc, after);
  const deps: PublishDeps = {
    doc,
    table: h.table.tableName,
    events,
    target: { busName: h.config.eventBusName, source: h.config.eventSource },
    log: createLogger({ test: true }, () => undefined),
    owner,
    leaseWaitMs: 20_000,
    backoffMs: 5,
  };
  return { deps, counts };
}

/** Commits a change the publisher cannot send yet (EventBridge fails every entry during the pass), and queues `n` operational events. */
async function leavePending(regionId: string, n: number): Promise<void> {
  h.receiver.faults.failIf(() => true);
  h.zilliz.addRegion('gcp', { cloudId: 'gcp', regionId });
  const summary = await h.pass();
  h.receiver.faults.failIf(undefined);
  expect(summary.changes).toBeGreaterThan(0);
  expect(summary.published.pending).toBeGreaterThan(0);
  const now = new Date().toISOString();
  for (let i = 0; i < n; i++) {
    const field = `${regionId}-field-${String(i)}`;
    queuedFields.push(field);
    await putOutbox({ doc: h.table.doc, table: h.table.tableName }, schemaChangedEvent({ source: 'zilliz', field, change: 'added', example: i, detectedAt: now }, { newId, ttl: expiresAt(now, 1) }));
  }
}

const changeIds = () => h.receiver.events.filter((e) => e.detailType !== 'Schema Changed').map((e) => (e.detail as { id: string }).id);
const schemaFields = () => h.receiver.events.filter((e) => e.detailType === 'Schema Changed').map((e) => (e.detail as { field: string }).field);

describe('one drain', () => {
  it('reads the cursor, SEQ and the outbox once each, and SEQ once more to find nothing new', async () => {
    await leavePending('gcp-one', 3);
    const { deps, counts } = drain('reader');
    const result = await publishPending(deps);
    expect(result).toMatchObject({ published: 26, operational: 3, failed: 0, pending: 0, leaseHeld: false });
    expect(counts['Get PUBLISH']).toBe(1);
    expect(counts['Query OUTBOX']).toBe(1);
    expect(counts['Get SEQ']).toBe(2);
    // The changesets pending (the first sync's and the addition's) in one Query, none read twice.
    expect(counts['Query CHANGES']).toBe(1);
    expect(counts['Get CHANGES']).toBeUndefined();
    expect(changeIds().sort()).toEqual((await h.committedChanges()).map((c) => c.id).sort());
    expect(schemaFields()).toEqual(queuedFields);
  });

  it('stops the cursor before a changeset still failing, keeps what the changesets after it had accepted, and the next drain sends only the rest', async () => {
    for (const regionId of ['gcp-a', 'gcp-b', 'gcp-c']) await leavePending(regionId, 0);
    const regionOf = (detail: unknown) => (detail as { regionId?: string }).regionId;
    h.receiver.faults.failIf((entry) => regionOf(entry.detail) === 'gcp-b');
    const first = await publishPending(drain('first').deps);
    h.receiver.faults.failIf(undefined);
    // gcp-b's changeset and gcp-c's after it stay behind the cursor; gcp-c's change went out all the same.
    expect(first).toMatchObject({ failed: 1, pending: 2 });
    const seen = () => h.receiver.events.map((e) => regionOf(e.detail));
    expect(seen()).toContain('gcp-a');
    expect(seen()).toContain('gcp-c');
    expect(seen()).not.toContain('gcp-b');
    const second = await publishPending(drain('second').deps);
    expect(second).toMatchObject({ published: 1, failed: 0, pending: 0 });
    const ids = changeIds();
    expect(ids).toHaveLength(new Set(ids).size);
    expect(ids.sort()).toEqual((await h.committedChanges()).map((c) => c.id).sort());
  });

  it('takes a commit that lands while it drains in a second round: SEQ and the outbox once more, the cursor from the lease', async () => {
    await leavePending('gcp-two', 2);
    let landed = false;
    const { deps, counts } = drain('reader', async (call) => {
      // The first time the cursor moves, another pass commits (and leaves its changes to us: we hold the lease).
      if (landed || call.operation !== 'Update' || call.pk !== 'PUBLISH' || !String(call.input.UpdateExpression).startsWith('SET #value')) return;
      landed = true;
      h.zilliz.addRegion('gcp', { cloudId: 'gcp', regionId: 'gcp-meanwhile' });
      const meanwhile = await h.pass();
      expect(meanwhile.published.leaseHeld).toBe(true);
    });
    const result = await publishPending(deps);
    expect(landed).toBe(true);
    expect(result).toMatchObject({ operational: 2, failed: 0, pending: 0 });
    expect(counts['Get PUBLISH']).toBe(1);
    expect(counts['Query OUTBOX']).toBe(2);
    expect(counts['Get SEQ']).toBe(3);
    expect(changeIds().sort()).toEqual((await h.committedChanges()).map((c) => c.id).sort());
    expect(schemaFields()).toEqual(queuedFields);
  });
});

describe('racing drains', () => {
  it('publish every change and every queued event exactly once, whoever holds the lease when the others look', async () => {
    const committedBefore = (await h.committedChanges()).length;
    for (let wave = 0; wave < 4; wave++) {
      await leavePending(`gcp-wave-${String(wave)}`, 6);
      // The others start once the first holds the lease, each a little later than the one before: some list
      // the outbox while it drains, some after it released, some while another of them holds it.
      let started: Promise<unknown>[] = [];
      let first = true;
      const start = (call: StoreCall) => {
        if (!first || call.operation !== 'Update' || call.pk !== 'PUBLISH' || !String(call.input.UpdateExpression).includes('leaseOwner = :owner')) return;
        first = false;
        started = Array.from({ length: 5 }, (_, i) =>
          new Promise((resolve) => setTimeout(resolve, i * (2 + wave * 3))).then(() => publishPending(drain(`w${String(wave)}-${String(i + 1)}`).deps)),
        );
      };
      const results = [await publishPending(drain(`w${String(wave)}-0`, start).deps)];
      results.push(...((await Promise.all(started)) as Awaited<ReturnType<typeof publishPending>>[]));
      expect(results).toHaveLength(6);
      expect(results.every((r) => r.failed === 0)).toBe(true);
    }
    const committed = await h.committedChanges();
    expect(committed.length).toBeGreaterThan(committedBefore);
    const ids = changeIds();
    expect(ids).toHaveLength(new Set(ids).size);
    expect(ids.sort()).toEqual(committed.map((c) => c.id).sort());
    const fields = schemaFields();
    expect(fields).toHaveLength(new Set(fields).size);
    expect(fields.sort()).toEqual([...queuedFields].sort());
  });
});
