/**
 * The fault matrix's bookkeeping: after a scenario, compare what region-sync
 * committed and delivered with what really happened upstream, and count the
 * ways a change tracker fails its users: lost changes, duplicates, false
 * removals and wrong content (a catalog region that differs from the upstream
 * as normalised by the chaos suite's independent model, an event whose detail
 * differs from the committed change).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Change } from '../../lib/core/region';
import { PK } from '../../lib/store/items';
import type { Harness } from '../support/harness';
import { canonical, contentOf, normalise, type ModelRegion } from '../chaos/model';

export interface Expected {
  type: Change['type'];
  regionKey: string;
}

export interface Row {
  scenario: string;
  passes: number;
  expected: number;
  recorded: number;
  delivered: number;
  duplicates: number;
  falseRemovals: number;
  lost: number;
  /** Catalog regions whose content differs from the upstream's, plus events whose detail differs from the feed's change. */
  wrongContent: number;
  /** Deliveries beyond the first of an id (at-least-once after a crash mid-publish): not a duplicate change. */
  redelivered: number;
}

/** Region keys the simulators list right now: the truth the catalog must converge to. */
export function upstreamKeys(h: Harness): Set<string> {
  const keys = new Set<string>();
  for (const regions of Object.values(h.zilliz.data.regions)) for (const r of regions) keys.add(`zilliz:${r.regionId}`);
  for (const r of h.modelarts.data.region_items) keys.add(`modelarts:${r.region_id}`);
  return keys;
}

export async function catalogKeys(h: Harness): Promise<Set<string>> {
  const out = await h.table.doc.send(
    new QueryCommand({ TableName: h.table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK.region }, ConsistentRead: true }),
  );
  return new Set((out.Items ?? []).map((item) => (JSON.parse(String(item.body)) as { id: string }).id));
}

/** Catalog regions whose full content differs from the upstream truth, normalised independently. */
export async function catalogContentMismatches(h: Harness): Promise<string[]> {
  const truth = normalise({ clouds: h.zilliz.data.clouds, zilliz: h.zilliz.data.regions, modelarts: h.modelarts.data.region_items });
  const want = new Map<string, ModelRegion>();
  for (const regions of truth.values()) for (const [id, region] of regions) want.set(id, region);
  const out = await h.table.doc.send(
    new QueryCommand({ TableName: h.table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK.region }, ConsistentRead: true }),
  );
  return (out.Items ?? [])
    .map((item) => JSON.parse(String(item.body)) as ModelRegion)
    .filter((region) => canonical(contentOf(region)) !== canonical(want.get(region.id)))
    .map((region) => region.id);
}

export async function audit(h: Harness, scenario: string, passes: number, expected: Expected[], reallyRemoved: Set<string>): Promise<Row> {
  const committed = await h.committedChanges();
  const delivered = h.receiver.events.filter((e) => e.detailType.startsWith('Region ')).map((e) => (e.detail as Change).id);
  const deliveredSet = new Set(delivered);
  const committedIds = new Set(committed.map((c) => c.id));

  // Replaying the log must be valid: added only when absent, changed/removed only when present.
  let duplicates = committed.length - committedIds.size + [...deliveredSet].filter((id) => !committedIds.has(id)).length;
  const present = new Set<string>();
  for (const c of committed) {
    if (c.type === 'region.added' ? present.has(c.regionKey) : !present.has(c.regionKey)) duplicates += 1;
    if (c.type === 'region.removed') present.delete(c.regionKey);
    else present.add(c.regionKey);
  }
  const falseRemovals = committed.filter((c) => c.type === 'region.removed' && !reallyRemoved.has(c.regionKey)).length;
  const remaining = [...committed];
  let lost = 0;
  for (const e of expected) {
    const at = remaining.findIndex((c) => c.type === e.type && c.regionKey === e.regionKey);
    if (at < 0) lost += 1;
    else remaining.splice(at, 1);
  }
  lost += committed.filter((c) => !deliveredSet.has(c.id)).length;
  const byId = new Map(committed.map((c) => [c.id, c]));
  const wrongEvents = h.receiver.events
    .filter((e) => e.detailType.startsWith('Region '))
    .filter((e) => canonical(e.detail) !== canonical(byId.get((e.detail as Change).id) ?? null)).length;
  const wrongContent = (await catalogContentMismatches(h)).length + wrongEvents;
  return {
    scenario,
    passes,
    expected: expected.length,
    recorded: committed.length,
    delivered: deliveredSet.size,
    duplicates,
    falseRemovals,
    lost,
    wrongContent,
    redelivered: delivered.length - deliveredSet.size,
  };
}

export function formatTable(rows: Row[]): string {
  const head = ['scenario', 'passes', 'expected', 'recorded', 'delivered', 'duplicates', 'false removals', 'lost', 'wrong content', 'redelivered'];
  const lines = rows.map((r) => [r.scenario, r.passes, r.expected, r.recorded, r.delivered, r.duplicates, r.falseRemovals, r.lost, r.wrongContent, r.redelivered].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
