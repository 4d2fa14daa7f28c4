/**
 * The fault matrix's bookkeeping: after a scenario, compare what region-sync
 * committed and delivered with what really happened upstream, and count the
 * three ways a change tracker fails its users: lost changes, duplicates and
 * false removals.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Change } from '../../lib/core/region';
import { PK } from '../../lib/store/items';
import type { Harness } from '../support/harness';

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
  return {
    scenario,
    passes,
    expected: expected.length,
    recorded: committed.length,
    delivered: deliveredSet.size,
    duplicates,
    falseRemovals,
    lost,
    redelivered: delivered.length - deliveredSet.size,
  };
}

export function formatTable(rows: Row[]): string {
  const head = ['scenario', 'passes', 'expected', 'recorded', 'delivered', 'duplicates', 'false removals', 'lost', 'redelivered'];
  const lines = rows.map((r) => [r.scenario, r.passes, r.expected, r.recorded, r.delivered, r.duplicates, r.falseRemovals, r.lost, r.redelivered].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
