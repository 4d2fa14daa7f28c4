/**
 * Every DynamoDB read of the catalog function, in the layout of items.ts:
 * the commit sequence, a consistent snapshot of the regions, the per-scope
 * status, and the changesets of the feed. Strongly consistent throughout so a
 * read right after a commit sees it.
 */
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { Change, Held, Region, SourceName, SourceState, SourceStatus } from '../core/api-records';
import { byRegionKey } from '../core/region';
import { partition, queryAll, readSeq, type SeqHead, type StoreDeps } from './deps';
import {
  PK,
  decodeChanges,
  decodeRegion,
  isExpired,
  seqSortKey,
  type ChangesItem,
  type RegionItem,
  type KnownFieldsItem,
  type RemovalHold,
  type ScopeItem,
  type StatusItem,
} from './items';

// The catalog reads the sequence through this module, like every other read.
export { readSeq, type SeqHead };

export interface CatalogSnapshot extends SeqHead {
  /** Sorted by id. */
  regions: Region[];
}

/** Commits kept landing while the regions were read; the client may retry at once. */
export class CatalogUnstableError extends Error {
  override name = 'CatalogUnstableError';
  readonly statusCode = 503;
}

/**
 * The regions of exactly one committed version: SEQ is read before and after
 * the Query, and a snapshot is kept only when it did not move and no region
 * was written by a later commit; otherwise it is read again (at most `attempts`
 * times), so one version never maps to two bodies.
 */
export async function loadCatalog(deps: StoreDeps, attempts = 3): Promise<CatalogSnapshot> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const before = await readSeq(deps);
    const items = await queryAll<RegionItem>(deps, partition(deps, PK.region));
    const after = await readSeq(deps);
    if (after.version !== before.version || items.some((item) => item.seq > before.version)) continue;
    return { ...before, regions: items.map(decodeRegion).sort(byRegionKey) };
  }
  throw new CatalogUnstableError(`catalog kept changing over ${attempts} reads`);
}

/**
 * A scope that never held data (no head, no success) and that the latest pass of its source did
 * not attempt is no scope any more: e.g. a cloud whose first listing failed and that then left the
 * provider list. No pass will report it again, so it is left out rather than shown degraded forever
 * (found by the chaos suite, seeds 336, 788, 844, 853).
 */
function isRetired(entry: { scope?: ScopeItem; status?: StatusItem }, latestAttempt: Map<string, string>): boolean {
  const { scope, status } = entry;
  if (scope || !status || status.lastSuccessAt || !status.lastAttemptAt) return false;
  const latest = latestAttempt.get(status.source);
  return latest !== undefined && status.lastAttemptAt < latest;
}

/** A held mass removal as /sources shows it; a hold stored before the time rule shows its own start as the earliest confirmation. */
function heldOf(scope: ScopeItem, hold: RemovalHold): Held {
  return {
    count: hold.regionIds.length,
    of: scope.regionCount,
    since: hold.since,
    confirmsAfter: hold.confirmsAfter ?? hold.since,
    passes: hold.passes,
    passesNeeded: hold.passesNeeded ?? hold.passes + 1,
  };
}

/** Joins the SCOPE and STATUS items of each scope into its public status (pure). */
export function sourceStatuses(scopes: ScopeItem[], statuses: StatusItem[]): SourceStatus[] {
  const byScope = new Map<string, { scope?: ScopeItem; status?: StatusItem }>();
  for (const scope of scopes) byScope.set(scope.sk, { ...byScope.get(scope.sk), scope });
  for (const status of statuses) byScope.set(status.sk, { ...byScope.get(status.sk), status });
  const latestAttempt = new Map<string, string>();
  for (const { source, lastAttemptAt } of statuses) {
    if (lastAttemptAt && lastAttemptAt > (latestAttempt.get(source) ?? '')) latestAttempt.set(source, lastAttemptAt);
  }
  return [...byScope.entries()]
    .filter(([, entry]) => !isRetired(entry, latestAttempt))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, { scope, status }]) => {
      const consecutiveFailures = status?.consecutiveFailures ?? 0;
      const lastSuccessAt = status?.lastSuccessAt ?? null;
      const state: SourceState = scope?.hold
        ? 'held'
        : consecutiveFailures > 0
          ? 'degraded'
          : lastSuccessAt
            ? 'ok'
            : 'never-synced';
      const error = status?.lastError;
      return {
        scope: name,
        // Written only by the sync, from a SourceName; the scope's prefix is one too.
        source: (scope?.source ?? status?.source ?? name.split('/')[0] ?? name) as SourceName,
        status: state,
        lastAttemptAt: status?.lastAttemptAt ?? null,
        lastSuccessAt,
        consecutiveFailures,
        lastError: error ? { code: error.code, message: error.message, at: error.at, ...(error.requestId ? { requestId: error.requestId } : {}) } : null,
        regionCount: scope?.regionCount ?? 0,
        ...(scope?.hold ? { held: heldOf(scope, scope.hold) } : {}),
      };
    });
}

export async function listSources(deps: StoreDeps): Promise<SourceStatus[]> {
  const [scopes, statuses] = await Promise.all([
    queryAll<ScopeItem>(deps, partition(deps, PK.scope)),
    queryAll<StatusItem>(deps, partition(deps, PK.status)),
  ]);
  return sourceStatuses(scopes, statuses);
}

export interface Changeset {
  seq: number;
  changes: Change[];
  committedAt: string;
  /** Epoch ms when its retention ends (TTL `expiresAt`): a reader that keeps what it read must drop it then. */
  expiresAtMs: number;
}

/** Kept for the readers of the past catalog: every changeset carries its commit time. */
export type DatedChangeset = Changeset;

export interface ChangesetRange {
  fromSeq: number;
  toSeq: number;
  pageSize: number;
  /** Newest first (rebuilding a past catalog, the latest changes); oldest first otherwise (the feed). */
  newestFirst?: boolean;
  /** Epoch ms (default: the clock): changesets expired by then are left out. */
  now?: number;
}

const NEVER = Number.MAX_SAFE_INTEGER;

/**
 * The changesets with `fromSeq <= seq <= toSeq`, in sequence order or newest
 * first, fetched `pageSize` at a time as the caller consumes them (it stops
 * when it has enough). The one reader of the CHANGES partition.
 */
export async function* readChangesets(
  { doc, table }: StoreDeps,
  { fromSeq, toSeq, pageSize, newestFirst = false, now = Date.now() }: ChangesetRange,
): AsyncGenerator<Changeset> {
  if (toSeq < fromSeq) return;
  const pages = paginateQuery(
    { client: doc, pageSize },
    {
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': PK.changes, ':from': seqSortKey(fromSeq), ':to': seqSortKey(toSeq) },
      ConsistentRead: true,
      ScanIndexForward: !newestFirst,
    },
  );
  for await (const page of pages) {
    for (const item of (page.Items ?? []) as ChangesItem[]) {
      if (isExpired(item, now)) continue;
      const expiresAtMs = item.expiresAt === undefined ? NEVER : item.expiresAt * 1000;
      yield { seq: item.seq ?? Number(item.sk), changes: decodeChanges(item), committedAt: item.committedAt, expiresAtMs };
    }
  }
}

/** The changesets of a range, newest first: rebuilding a past catalog walks back from the current one. */
export function readChangesetsBackward(deps: StoreDeps, range: Omit<ChangesetRange, 'newestFirst'>): AsyncGenerator<Changeset> {
  return readChangesets(deps, { ...range, newestFirst: true });
}

/**
 * The sequences in `fromSeq..toSeq` whose changesets are stored and not expired at `now`,
 * ascending: keys and TTL only (where the feed may start, lib/catalog/feed).
 */
export async function readLiveSeqs(deps: StoreDeps, { fromSeq, toSeq, now }: { fromSeq: number; toSeq: number; now: number }): Promise<number[]> {
  if (toSeq < fromSeq) return [];
  const items = await queryAll<Pick<ChangesItem, 'sk' | 'expiresAt'>>(
    deps,
    {
      TableName: deps.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': PK.changes, ':from': seqSortKey(fromSeq), ':to': seqSortKey(toSeq) },
      ProjectionExpression: 'sk, expiresAt',
      ConsistentRead: true,
    },
  );
  return items.filter((item) => !isExpired(item, now)).map((item) => Number(item.sk));
}

/** Per source, the upstream fields its answers carried when last seen (sorted). */
export async function listKnownFields(deps: StoreDeps): Promise<Record<string, string[]>> {
  const items = await queryAll<KnownFieldsItem>(deps, partition(deps, PK.schema));
  return Object.fromEntries(items.map((item) => [item.sk, [...item.fields]]));
}
