/**
 * The catalog files on S3 (the layout is lib/store/catalog-layout): write an
 * immutable object, move `catalog/latest.json` forward, read objects back.
 *
 * latest.json never moves back. Its S3 metadata says which version it holds;
 * the writer reads that with HeadObject and writes only a newer version, with
 * `If-Match: <the ETag it read>` (or `If-None-Match: *` when there is no
 * object yet): S3's own compare-and-swap. A pass that lost the race to another
 * writer gets 412 (or 409 for a concurrent conditional write), reads again and
 * finds a version at least as new: it leaves the object alone. Comparing
 * versions without the condition would leave a window between the read and
 * the write in which an older version can land after a newer one.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  IMMUTABLE_CACHE_CONTROL,
  JSON_TYPE,
  LATEST_CACHE_CONTROL,
  LATEST_KEY,
  VERSION_PREFIX,
  latestMetadata,
  parseLatestMetadata,
  versionOfKey,
  type CatalogFile,
  type LatestMeta,
} from './catalog-layout';
import { httpStatusOf, s3Module } from './s3';

export interface BucketDeps {
  s3: S3Client;
  bucket: string;
}

export interface LatestHead {
  etag: string;
  /** Undefined when the object carries no valid version metadata (written by something else): any version replaces it. */
  meta: LatestMeta | undefined;
}

export type LatestOutcome = { kind: 'written'; meta: LatestMeta } | { kind: 'newer-held'; meta: LatestMeta };

/** Conditional writes that keep failing: another writer keeps moving latest.json. */
export class LatestContendedError extends Error {
  override name = 'LatestContendedError';
}

const isPreconditionFailure = (error: unknown) => {
  const status = httpStatusOf(error);
  return status === 412 || status === 409;
};

export async function headLatest({ s3, bucket }: BucketDeps): Promise<LatestHead | undefined> {
  const { HeadObjectCommand } = await s3Module();
  try {
    const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: LATEST_KEY }));
    return { etag: out.ETag ?? '', meta: parseLatestMetadata(out.Metadata) };
  } catch (error: unknown) {
    if (httpStatusOf(error) === 404) return undefined;
    throw error;
  }
}

/** An object that never changes once written (a version of the catalog, an archived changeset); writing it again writes the same bytes. */
export async function putImmutable({ s3, bucket }: BucketDeps, key: string, body: string): Promise<void> {
  const { PutObjectCommand } = await s3Module();
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: JSON_TYPE, CacheControl: IMMUTABLE_CACHE_CONTROL }));
}

/** Moves latest.json to `file`, unless it already holds that version or a newer one (then says which). */
export async function putLatest(deps: BucketDeps, file: CatalogFile, attempts = 5): Promise<LatestOutcome> {
  const { PutObjectCommand } = await s3Module();
  const meta: LatestMeta = { version: file.version, syncedAt: file.syncedAt, count: file.count, sha256: file.sha256 };
  for (let attempt = 0; attempt < attempts; attempt++) {
    const head = await headLatest(deps);
    if (head?.meta && head.meta.version >= file.version) return { kind: 'newer-held', meta: head.meta };
    try {
      await deps.s3.send(
        new PutObjectCommand({
          Bucket: deps.bucket,
          Key: LATEST_KEY,
          Body: file.body,
          ContentType: JSON_TYPE,
          CacheControl: LATEST_CACHE_CONTROL,
          Metadata: latestMetadata(file),
          ...(head ? { IfMatch: head.etag } : { IfNoneMatch: '*' }),
        }),
      );
      return { kind: 'written', meta };
    } catch (error: unknown) {
      // Another writer moved it between our read and our write: read again.
      if (!isPreconditionFailure(error)) throw error;
    }
  }
  throw new LatestContendedError(`${LATEST_KEY} kept changing over ${attempts} conditional writes`);
}

/** The text of an object, or undefined when there is none. */
export async function getText({ s3, bucket }: BucketDeps, key: string): Promise<string | undefined> {
  const { GetObjectCommand } = await s3Module();
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await out.Body?.transformToString('utf-8');
  } catch (error: unknown) {
    const status = httpStatusOf(error);
    if (status === 404 || (error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** Every version that has a `catalog/v/<version>.json`, ascending. */
export async function listVersions({ s3, bucket }: BucketDeps): Promise<number[]> {
  const { ListObjectsV2Command } = await s3Module();
  const versions: number[] = [];
  let token: string | undefined;
  do {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: VERSION_PREFIX, ...(token ? { ContinuationToken: token } : {}) }));
    for (const object of out.Contents ?? []) {
      const version = object.Key ? versionOfKey(object.Key) : undefined;
      if (version !== undefined) versions.push(version);
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return versions.sort((a, b) => a - b);
}
