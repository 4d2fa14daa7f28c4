/**
 * The single-table layout: every item's key and shape, and the pure codecs
 * between items and domain records. Every other store module builds its
 * requests from these, so the layout lives in exactly one place.
 *
 * | pk       | sk                     | holds                                                   |
 * |----------|------------------------|---------------------------------------------------------|
 * | SEQ      | SEQ                    | value: last committed sequence, committedAt              |
 * | CHANGES  | <seq, 12 digits>       | the changes of one commit (JSON), TTL `expiresAt`        |
 * | REGION   | <scope>#<regionId>     | one region (JSON), its scope and the seq that last wrote |
 * | SCOPE    | <scope>                | snapshot head: version, content hash, count, hold        |
 * | STATUS   | <scope>                | attempts, successes, failures, last error                |
 * | PUBLISH  | CURSOR                 | last fully published seq, publisher lease               |
 * | OUTBOX   | <ulid>                 | an operational event waiting to be published             |
 * | HISTORY#<regionKey> | <seq>#<changeId> | one change of one region (JSON), TTL = its changeset's |
 * | SCHEMA   | <source>               | the upstream fields last seen for a source              |
 *
 * Regions are one item each so that a one-region change writes one region item
 * whatever the catalog's size, and no item nears DynamoDB's 400 KB limit.
 * Region and change bodies are stored as JSON strings: they are read whole,
 * never queried by attribute, and a string marshals far faster than a map.
 */
import type { Change, Region } from '../core/region';
import { changeSummary } from '../core/summary';

export const SEQ_KEY = { pk: 'SEQ', sk: 'SEQ' } as const;
export const PUBLISH_KEY = { pk: 'PUBLISH', sk: 'CURSOR' } as const;

export const PK = {
  changes: 'CHANGES',
  region: 'REGION',
  scope: 'SCOPE',
  status: 'STATUS',
  outbox: 'OUTBOX',
  schema: 'SCHEMA',
} as const;

/** Partition of one region's history: `HISTORY#<source>:<regionId>`. */
export const HISTORY_PREFIX = 'HISTORY#';

const SEQ_DIGITS = 12;

export function seqSortKey(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, '0');
}

export function changesKey(seq: number) {
  return { pk: PK.changes, sk: seqSortKey(seq) };
}

/** `#` cannot occur in a scope (`source/id`), so the prefix `<scope>#` selects exactly one scope. */
export function regionSortKey(scope: string, regionId: string): string {
  return `${scope}#${regionId}`;
}

export function regionKeyOf(scope: string, regionId: string) {
  return { pk: PK.region, sk: regionSortKey(scope, regionId) };
}

export function scopeKey(scope: string) {
  return { pk: PK.scope, sk: scope };
}

export function statusKey(scope: string) {
  return { pk: PK.status, sk: scope };
}

export function historyPartition(regionKey: string): string {
  return `${HISTORY_PREFIX}${regionKey}`;
}

/** Sorted by commit sequence, then by change id (unique), so a Query returns a region's changes oldest first. */
export function historySortKey(seq: number, changeId: string): string {
  return `${seqSortKey(seq)}#${changeId}`;
}

export function knownFieldsKey(source: string) {
  return { pk: PK.schema, sk: source };
}

export interface SeqItem {
  pk: 'SEQ';
  sk: 'SEQ';
  value: number;
  committedAt: string;
}

export interface ChangesItem {
  pk: typeof PK.changes;
  sk: string;
  seq: number;
  /** JSON of Change[], in commit order. */
  body: string;
  count: number;
  committedAt: string;
  /** Epoch seconds; DynamoDB TTL deletes the changeset after the retention period. */
  expiresAt: number;
}

export interface RegionItem {
  pk: typeof PK.region;
  sk: string;
  scope: string;
  /** JSON of Region. */
  body: string;
  /** The sequence of the commit that last wrote this region: the condition of the next write. */
  seq: number;
}

export interface RemovalHold {
  /**
   * Region keys (`source:regionId`) whose removal waits for confirmation,
   * sorted. A stored attribute: its name stays `regionIds` so that holds
   * already in tables read back; the code calls the value a region key.
   */
  regionIds: string[];
  /** Consecutive successful passes they have been absent from. */
  passes: number;
  since: string;
  /** REMOVAL_HOLD_PASSES when the hold last counted (absent on holds stored before it was kept). */
  passesNeeded?: number;
  /** The hold's first pass plus REMOVAL_HOLD_MINUTES: no pass confirms it earlier. */
  confirmsAfter?: string;
}

export interface ScopeItem {
  pk: typeof PK.scope;
  sk: string;
  source: string;
  /** Sequence of the last commit that touched this scope; 0 before the first. */
  version: number;
  /** Hash of the scope's last successful upstream answer (normalised); equal hash, nothing to diff. */
  hash: string;
  regionCount: number;
  hold?: RemovalHold;
}

export interface ErrorInfo {
  code: string;
  message: string;
  at: string;
  /** The upstream's own request id (Zilliz `requestid`, Huawei `request_id` / `X-Request-Id`), to quote to its support. */
  requestId?: string;
}

/**
 * One change of one region, written in the transaction that commits it, so a
 * region's story is one Query (`pk = HISTORY#<regionKey>`) instead of a read of
 * every changeset; it expires with its changeset.
 */
export interface HistoryItem {
  pk: string;
  sk: string;
  seq: number;
  /** JSON of the Change. */
  body: string;
  expiresAt: number;
}

/** The upstream fields of a source as last seen, the baseline of `Schema Changed`. */
export interface KnownFieldsItem {
  pk: typeof PK.schema;
  sk: string;
  /** Fields carried by at least one region, sorted. */
  fields: string[];
  /** Fields carried by every region, sorted. */
  universal: string[];
  /** Bumped on every write: the condition of the next. */
  version: number;
  updatedAt: string;
}

export interface StatusItem {
  pk: typeof PK.status;
  sk: string;
  source: string;
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  consecutiveFailures?: number;
  lastError?: ErrorInfo;
}

export interface PublishItem {
  pk: 'PUBLISH';
  sk: 'CURSOR';
  value: number;
  leaseOwner?: string;
  leaseUntil?: number;
  /** How many times the lease was granted (lib/store/publish-state.ts takeLease): a grant between two reads shows. */
  leases?: number;
}

export interface OutboxItem {
  pk: typeof PK.outbox;
  sk: string;
  detailType: string;
  /** JSON of the event detail. */
  detail: string;
  expiresAt: number;
}

export function encodeRegion(region: Region): string {
  return JSON.stringify(region);
}

export function decodeRegion(item: Pick<RegionItem, 'body'>): Region {
  return JSON.parse(item.body) as Region;
}

/** A change stored before `summary` existed gets it on read, so every reader serves one. */
function withSummary(change: Change): Change {
  if (typeof change.summary !== 'string') change.summary = changeSummary(change);
  return change;
}

export function decodeChange(item: Pick<HistoryItem, 'body'>): Change {
  return withSummary(JSON.parse(item.body) as Change);
}

export function decodeChanges(item: Pick<ChangesItem, 'body'>): Change[] {
  return (JSON.parse(item.body) as Change[]).map(withSummary);
}

/**
 * DynamoDB's TTL deletes an expired item late (often days) and in no particular
 * order, so an item past its `expiresAt` is treated as already deleted: whether a
 * reader sees a changeset or a history item depends on its expiry time alone,
 * never on whether or when it was deleted.
 */
export function isExpired(item: { expiresAt?: number }, now: number): boolean {
  return item.expiresAt !== undefined && item.expiresAt * 1000 <= now;
}
