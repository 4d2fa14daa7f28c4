/**
 * Random histories for the tests of the past (`?at=`, a region's history, the
 * archive): regions of a few scopes in a few variants, committed pass by pass
 * through the real planner and commit on DynamoDB Local, and the independent
 * truths they are checked against: the committed changes with their feed
 * positions as stored, the feed as a client reads it, and the client's fold
 * of changes onto an empty catalog.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { FeedPosition } from '../../lib/catalog/cursor';
import type { Change, Region, RegionContent, SourceName } from '../../lib/core/region';
import { commitPlans } from '../../lib/store/commit';
import type { StoreDeps } from '../../lib/store/deps';
import { PK } from '../../lib/store/items';
import type { ScopePlan } from '../../lib/store/plans';
import { loadScopeHeads, loadScopeRegions } from '../../lib/store/scope-reads';
import { planScope } from '../../lib/sync/plan';
import { call, type TestHandler } from './catalog-event';

export interface ScopeSpec {
  scope: string;
  source: SourceName;
  cloudId: string;
}

/** Region `index` of a scope in variant 0 (plain), 1 (renamed) or 2 (another API base URL and a domain). */
export function content(spec: ScopeSpec, index: number, variant: number): RegionContent {
  const regionId = `${spec.cloudId}-r${index}`;
  return {
    id: `${spec.source}:${regionId}`,
    source: spec.source,
    cloudId: spec.cloudId,
    regionId,
    name: variant === 1 ? `${regionId} renamed` : regionId,
    localizedNames: spec.source === 'modelarts' ? { en_us: regionId } : {},
    apiBaseUrl: spec.source === 'zilliz' ? `https://api${variant === 2 ? '2' : ''}.${regionId}.example.com` : null,
    attributes: variant === 2 ? { domain: `${regionId}.example.com` } : {},
  };
}

/** A scope's answer from picks `[index, variant]` (the last pick of an index wins). */
export function answerOf(spec: ScopeSpec, picks: readonly [number, number][]): RegionContent[] {
  return [...new Map(picks).entries()].map(([i, v]) => content(spec, i, v));
}

/** One pass through the real planner and commit: every scope in `answers` answers its regions. */
export async function commitPass(store: StoreDeps, scopes: readonly ScopeSpec[], answers: Map<string, RegionContent[]>, now: string, retentionDays = 30): Promise<void> {
  const newId = monotonicFactory();
  const heads = await loadScopeHeads(store);
  const plans: ScopePlan[] = [];
  for (const spec of scopes) {
    const regions = answers.get(spec.scope);
    if (!regions) continue;
    const state = { head: heads.get(spec.scope), regions: await loadScopeRegions(store, spec.scope) };
    const plan = planScope({ scope: spec.scope, source: spec.source, regions, state, holdPasses: 1, now, newId });
    if (plan) plans.push(plan);
  }
  await commitPlans(store, plans, { now, retentionDays, newId });
}

export interface CommittedChange {
  position: FeedPosition;
  change: Change;
  committedAt: string;
}

/** Every committed change with its feed position (seq, index), read from the changesets as stored. */
export async function committedChanges(store: StoreDeps): Promise<CommittedChange[]> {
  const out = await store.doc.send(
    new QueryCommand({ TableName: store.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK.changes }, ConsistentRead: true }),
  );
  return (out.Items ?? []).flatMap((item) =>
    (JSON.parse(String(item.body)) as Change[]).map((change, index) => ({ position: { seq: Number(item.seq), index }, change, committedAt: String(item.committedAt) })),
  );
}

/** The feed from the start, read page by page as a client would. */
export async function readWholeFeed(handler: TestHandler): Promise<Change[]> {
  const out: Change[] = [];
  let since = '';
  for (;;) {
    const res = await call(handler, 'GET', `/changes?limit=500${since ? `&since=${since}` : ''}`);
    const body = res.json as { changes: Change[]; next: string };
    if (body.changes.length === 0) return out;
    out.push(...body.changes);
    since = body.next;
  }
}

/** Replays changes onto an empty catalog (the client's fold), sorted by id. */
export function replay(changes: readonly Change[]): Region[] {
  const regions = new Map<string, Region>();
  for (const c of changes) {
    if (c.type === 'region.removed') regions.delete(c.regionKey);
    else regions.set(c.regionKey, c.after!);
  }
  return [...regions.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Two scopes, one per source: what the archive tests commit to. */
export const TWO_SCOPES: ScopeSpec[] = [
  { scope: 'zilliz/aws', source: 'zilliz', cloudId: 'aws' },
  { scope: 'modelarts/0123456789abcdef0123456789abcdef', source: 'modelarts', cloudId: 'huaweicloud' },
];

/** Pass n's time, a day apart, starting a year and more ago: far beyond the 30-day retention, so every point is answered from the archive. */
export function archiveEra(): (pass: number) => string {
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 400 * 86_400_000;
  return (pass) => new Date(base + pass * 86_400_000).toISOString();
}
