/**
 * The catalog as files (pure): the object keys of the bucket, the bytes of
 * each object and the metadata `catalog/latest.json` carries, so the writer
 * (lib/store/catalog-files), the archive reader (lib/store/archive) and the
 * catalog API agree on them by construction.
 *
 * | key                        | bytes                                   | cache                        |
 * |----------------------------|-----------------------------------------|------------------------------|
 * | catalog/latest.json        | the body of `GET /regions` at a version | short (`LATEST_CACHE_CONTROL`) |
 * | catalog/v/<version>.json   | the same bytes, never rewritten         | a year, `immutable`          |
 * | changes/<seq>.json         | `{seq, committedAt, changes}` of a commit | a year, `immutable`        |
 */
import { createHash } from 'node:crypto';
import type { Change, Region } from '../core/api-records';
import { invalid, text, type Rule } from '../core/config';

export const LATEST_KEY = 'catalog/latest.json';
export const VERSION_PREFIX = 'catalog/v/';
export const CHANGES_PREFIX = 'changes/';
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** latest.json moves with every commit: caches (and the CDN) keep it as briefly as the API's own answer. */
export const LATEST_CACHE_CONTROL = 'public, max-age=30';
export const JSON_TYPE = 'application/json';

export const versionKey = (version: number) => `${VERSION_PREFIX}${version}.json`;
export const changesetKey = (seq: number) => `${CHANGES_PREFIX}${seq}.json`;

/** The version of a `catalog/v/<version>.json` key; undefined for any other key. */
export function versionOfKey(key: string): number | undefined {
  const m = /^catalog\/v\/(\d{1,15})\.json$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

/**
 * The body of `GET /regions` (and of `?at=`): one function for the API and the
 * file, so `latest.json` is byte for byte the API's answer. `regions` sorted by id.
 */
export function regionListBody(regions: readonly Region[], version: number, syncedAt: string | null): string {
  return JSON.stringify({ regions, count: regions.length, version: String(version), syncedAt });
}

export const sha256Hex = (bytes: string) => createHash('sha256').update(bytes).digest('hex');

/** One version of the catalog as a file: its bytes and what `Catalog Published` says of them. */
export interface CatalogFile {
  version: number;
  syncedAt: string | null;
  count: number;
  body: string;
  sha256: string;
}

export function catalogFile(snapshot: { version: number; syncedAt: string | null; regions: readonly Region[] }): CatalogFile {
  const body = regionListBody(snapshot.regions, snapshot.version, snapshot.syncedAt);
  return { version: snapshot.version, syncedAt: snapshot.syncedAt, count: snapshot.regions.length, body, sha256: sha256Hex(body) };
}

/** What latest.json says of itself in its S3 metadata (`x-amz-meta-*`), read back with one HeadObject. */
export interface LatestMeta {
  version: number;
  syncedAt: string | null;
  count: number;
  sha256: string;
}

export function latestMetadata(file: CatalogFile): Record<string, string> {
  return { version: String(file.version), 'synced-at': file.syncedAt ?? '', count: String(file.count), sha256: file.sha256 };
}

/** The metadata of latest.json, or undefined when it does not carry a whole, valid set (an object written by something else). */
export function parseLatestMetadata(meta: Record<string, string> | undefined): LatestMeta | undefined {
  const version = meta?.version;
  const count = meta?.count;
  const sha256 = meta?.sha256;
  if (!version || !/^\d{1,15}$/.test(version) || !count || !/^\d+$/.test(count) || !sha256 || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  return { version: Number(version), count: Number(count), sha256, syncedAt: meta['synced-at'] || null };
}

/** One commit's changes as archived: what the table's changeset holds, kept beyond its retention. */
export interface ArchivedChangeset {
  seq: number;
  committedAt: string;
  changes: Change[];
}

export function changesetBody(changeset: ArchivedChangeset): string {
  return JSON.stringify({ seq: changeset.seq, committedAt: changeset.committedAt, changes: changeset.changes });
}

export function parseChangesetBody(text: string, seq: number): ArchivedChangeset {
  const value = JSON.parse(text) as Partial<ArchivedChangeset>;
  if (value.seq !== seq || typeof value.committedAt !== 'string' || !Array.isArray(value.changes)) {
    throw new Error(`${changesetKey(seq)} is not an archived changeset of seq ${seq}`);
  }
  return { seq, committedAt: value.committedAt, changes: value.changes };
}

/**
 * S3's bucket naming rules, as patterns (the one home of the rule: the
 * deployment's deploy/bucket-name.json is generated from it by
 * scripts/gen-deploy-constants.ts): 3-63 characters of lowercase letters,
 * digits, dots and hyphens, starting and ending with a letter or digit
 * (`must`); no two adjacent dots, not an IP address, none of the reserved
 * prefixes and suffixes (`mustNot`).
 */
export const BUCKET_NAME_RULE = {
  must: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
  mustNot: ['\\.\\.', '^\\d+\\.\\d+\\.\\d+\\.\\d+$', '^(xn--|sthree-|amzn-s3-demo-)', '(-s3alias|--ol-s3|\\.mrap|--x-s3|--table-s3)$'],
} as const;

const BUCKET_MUST = new RegExp(BUCKET_NAME_RULE.must);
const BUCKET_MUST_NOT = BUCKET_NAME_RULE.mustNot.map((pattern) => new RegExp(pattern));

export function isValidBucketName(name: string): boolean {
  return BUCKET_MUST.test(name) && !BUCKET_MUST_NOT.some((pattern) => pattern.test(name));
}

/** The setting of a bucket name (CATALOG_BUCKET, lib/core/config's rules): a name by S3's rules. */
export const bucketNameSetting: Rule<string> = (value) => {
  const name = text()(value);
  return isValidBucketName(name) ? name : invalid('expected an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)');
};
