/**
 * Size boundaries through the real sync handler, simulators, DynamoDB Local and
 * the event receiver: a region just under the 60 KB cap commits and is served
 * and published whole; one over it (and one over DynamoDB's own 400 KB item
 * limit) fails its own scope with an error naming the region and the cap, and
 * nothing of that scope's answer is written, while the other scopes commit;
 * a pass whose changes are far over one item's 400 KB is split into several
 * changesets, every change once, in order. The truth is what the simulators
 * were given.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import type { Change, Region } from '../../lib/core/region';
import { call, type TestHandler } from '../support/catalog-event';
import { createHarness, type Harness } from '../support/harness';

let h: Harness;
let api: TestHandler;

beforeAll(async () => {
  h = await createHarness();
  api = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 }) as TestHandler;
  expect((await h.pass()).ok).toBe(true);
});
afterAll(() => h?.close());

const region = async (id: string) => {
  const res = await call(api, 'GET', `/regions/zilliz/${id}`);
  return res.status === 200 ? (res.json as Region) : undefined;
};
const sourceOf = async (scope: string) => {
  const { sources } = (await call(api, 'GET', '/sources')).json as { sources: { scope: string; status: string; lastError: { code: string; message: string } | null }[] };
  return sources.find((s) => s.scope === scope);
};
/** The whole feed after `since` (a cursor, or the start), read as a client would. */
async function feedAfter(since: string | undefined): Promise<{ changes: Change[]; next: string }> {
  const changes: Change[] = [];
  let cursor = since;
  for (;;) {
    const res = await call(api, 'GET', `/changes?limit=3${cursor ? `&since=${cursor}` : ''}`);
    expect(res.status, res.text).toBe(200);
    const page = res.json as { changes: Change[]; next: string };
    changes.push(...page.changes);
    if (page.changes.length === 0) return { changes, next: page.next };
    cursor = page.next;
  }
}

describe('a region near the 60 KB cap', () => {
  it('just under it: committed, served and published whole', async () => {
    const blob = 'a'.repeat(58_500);
    h.zilliz.addRegion('aws', { regionId: 'aws-big-ok', blob });
    const summary = await h.pass();
    expect(summary.ok, JSON.stringify(summary.scopes)).toBe(true);
    expect((await region('aws-big-ok'))?.attributes.blob).toBe(blob);
    const events = await h.receiver.waitFor(1);
    const added = events.find((e) => (e.detail as Change).regionKey === 'zilliz:aws-big-ok');
    expect((added?.detail as Change | undefined)?.after?.attributes.blob).toBe(blob);
  });

  for (const [label, bytes] of [
    ['just over it', 61_000],
    ["over DynamoDB's 400 KB item limit", 420_000],
  ] as const) {
    it(`${label}: fails its own scope with a clear error, writes nothing of that scope, and the other scopes commit`, async () => {
      const before = await feedAfter(undefined);
      const noteBefore = (await region('aws-big-ok'))?.attributes.note;
      h.zilliz.addRegion('aws', { regionId: 'aws-too-big', blob: 'b'.repeat(bytes) });
      h.zilliz.updateRegion('aws', 'aws-big-ok', { note: label });
      h.zilliz.addRegion('gcp', { regionId: `gcp-beside-${bytes}` });
      const summary = await h.pass().finally(() => h.zilliz.removeRegion('aws', 'aws-too-big'));

      const aws = summary.scopes.find((s) => s.scope === 'zilliz/aws');
      expect(aws?.outcome).toBe('failed');
      expect(summary.scopes.find((s) => s.scope === 'zilliz/gcp')?.outcome).toBe('ok');
      const status = await sourceOf('zilliz/aws');
      expect(status?.status).toBe('degraded');
      expect(status?.lastError?.message).toMatch(/aws-too-big/);
      expect(status?.lastError?.message).toMatch(/60[ ,]?000 bytes/);
      // Nothing of the failed scope's answer is written: neither the big region nor the other change beside it.
      expect(await region('aws-too-big')).toBeUndefined();
      expect((await region('aws-big-ok'))?.attributes.note).toBe(noteBefore);
      const after = await feedAfter(before.next);
      expect(after.changes.map((c) => c.regionKey)).toEqual([`zilliz:gcp-beside-${bytes}`]);

      // Once the upstream drops it (done as soon as the pass had its answer), the scope's change commits.
      expect((await h.pass()).ok).toBe(true);
      expect((await region('aws-big-ok'))?.attributes.note).toBe(label);
      expect((await sourceOf('zilliz/aws'))?.status).toBe('ok');
    });
  }
});

describe('a pass whose changes are far over one item’s 400 KB', () => {
  it('is split into several changesets: every change once, in order, served by the feed and published', async () => {
    const start = (await feedAfter(undefined)).next;
    h.receiver.clear();
    const blob = (i: number) => String.fromCharCode(97 + i).repeat(55_000);
    h.zilliz.addCloud('big', 'A cloud of large regions');
    for (let i = 0; i < 8; i++) h.zilliz.addRegion('big', { regionId: `big-r${i}`, blob: blob(i) });
    const added = await h.pass();
    expect(added.ok, JSON.stringify(added.scopes)).toBe(true);
    // 8 x 55 KB of additions is over one item's 400 KB: more than one changeset.
    expect(added.sequences.length).toBeGreaterThanOrEqual(2);

    // Changing all of them: each change holds the region twice (before and after), 880 KB in all.
    for (let i = 0; i < 8; i++) h.zilliz.updateRegion('big', `big-r${i}`, { blob: blob(i + 8) });
    const changed = await h.pass();
    expect(changed.ok, JSON.stringify(changed.scopes)).toBe(true);
    expect(changed.sequences.length).toBeGreaterThanOrEqual(3);

    const { changes } = await feedAfter(start);
    const ids = Array.from({ length: 8 }, (_, i) => `zilliz:big-r${i}`);
    expect(changes.filter((c) => c.type === 'region.added').map((c) => c.regionKey).sort()).toEqual(ids);
    expect(changes.filter((c) => c.type === 'region.changed').map((c) => c.regionKey).sort()).toEqual(ids);
    expect(new Set(changes.map((c) => c.id)).size).toBe(changes.length);
    // The additions all come before the changes, each with its region whole.
    expect(changes.slice(0, 8).every((c) => c.type === 'region.added')).toBe(true);
    for (const c of changes.filter((c) => c.type === 'region.changed')) {
      const i = Number(c.regionId.slice('big-r'.length));
      expect(c.before?.attributes.blob).toBe(blob(i));
      expect(c.after?.attributes.blob).toBe(blob(i + 8));
    }
    for (let i = 0; i < 8; i++) expect((await region(`big-r${i}`))?.attributes.blob).toBe(blob(i + 8));
    const events = await h.receiver.waitFor(16);
    expect(events.map((e) => (e.detail as Change).id).sort()).toEqual(changes.map((c) => c.id).sort());
  });
});
