/**
 * Writing the catalog files after the commit (when `CATALOG_BUCKET` is set),
 * the step of the publish stage that runs before the outbox is drained, so
 * `Catalog Published` goes out in the same pass:
 *
 * 1. nothing to do, and no S3 call, while the files' bookkeeping (lib/store/files-state)
 *    says every changeset is archived and the table's version announced;
 * 2. else the catalog of one committed version V is read (lib/store/read's loadCatalog),
 *    every `changes/<seq>.json` up to V is written, then `catalog/v/V.json`, then
 *    latest.json moves to V unless it holds V or newer (a conditional write:
 *    lib/store/catalog-files); the archive is therefore never behind latest.json;
 * 3. the version latest.json now holds is announced through the outbox, once.
 *
 * Any failure (S3 down, a timeout, a throttled table) is logged and left to the
 * next pass, which finds the bookkeeping behind and catches up: it fails no
 * scope and the commit stands.
 */
import type { Logger } from '../core/log';
import type { CatalogPublished } from '../core/api-records';
import { putImmutable, putLatest, type BucketDeps } from '../store/catalog-files';
import { catalogFile, changesetBody, changesetKey, versionKey, type CatalogFile } from '../store/catalog-layout';
import type { StoreDeps } from '../store/deps';
import { advanceArchived, announceVersion, readFilesState } from '../store/files-state';
import { loadCatalog, readChangesets, readSeq } from '../store/read';
import { expiresAt } from '../store/transactions';

export interface CatalogFilesDeps {
  store: StoreDeps;
  /** The bucket and its client; a promise while the S3 module is still loading. */
  bucket: BucketDeps | Promise<BucketDeps>;
  log: Logger;
  newId: () => string;
  now: string;
  retentionDays: number;
}

export interface CatalogFilesResult {
  /** `up-to-date`: nothing was behind; `written`: the files caught up; `failed`: left to the next pass. */
  outcome: 'up-to-date' | 'written' | 'failed';
  /** The version latest.json holds after this step, when it was read or written. */
  latest?: number;
  archived: number;
  announced: boolean;
}

/** Archived changesets written at once. */
const PARALLEL_PUTS = 8;

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

/** Writes changes/<seq>.json for every seq in (from, to]; a changeset already expired from the table is a gap, logged. */
async function archiveChangesets(deps: CatalogFilesDeps, bucket: BucketDeps, from: number, to: number): Promise<number> {
  if (to <= from) return 0;
  const bodies: { seq: number; body: string }[] = [];
  let expect = from + 1;
  for await (const changeset of readChangesets(deps.store, { fromSeq: from + 1, toSeq: to, pageSize: 25 })) {
    if (changeset.seq !== expect) deps.log.error('changesets expired before they were archived', { from: expect, to: changeset.seq - 1 });
    expect = changeset.seq + 1;
    bodies.push({ seq: changeset.seq, body: changesetBody(changeset) });
  }
  if (expect !== to + 1) deps.log.error('changesets expired before they were archived', { from: expect, to });
  await inBatches(bodies, PARALLEL_PUTS, ({ seq, body }) => putImmutable(bucket, changesetKey(seq), body));
  return bodies.length;
}

function detailOf(file: Pick<CatalogFile, 'version' | 'syncedAt' | 'count' | 'sha256'>): CatalogPublished {
  return { version: String(file.version), syncedAt: file.syncedAt, count: file.count, key: versionKey(file.version), sha256: file.sha256 };
}

export async function writeCatalogFiles(deps: CatalogFilesDeps): Promise<CatalogFilesResult> {
  const result: CatalogFilesResult = { outcome: 'up-to-date', archived: 0, announced: false };
  try {
    const [state, head] = await Promise.all([readFilesState(deps.store), readSeq(deps.store)]);
    if (state.archived >= head.version && state.announced >= head.version) return result;
    const [bucket, snapshot] = await Promise.all([deps.bucket, loadCatalog(deps.store)]);
    const file = catalogFile(snapshot);
    // The archive and the immutable version first: latest.json never names a version whose past is not archived.
    const [archived] = await Promise.all([
      archiveChangesets(deps, bucket, state.archived, file.version),
      file.version > 0 ? putImmutable(bucket, versionKey(file.version), file.body) : Promise.resolve(),
    ]);
    result.archived = archived;
    if (file.version > state.archived) await advanceArchived(deps.store, file.version);
    if (file.version === 0) return result;
    const latest = await putLatest(bucket, file);
    result.latest = latest.meta.version;
    result.outcome = 'written';
    if (latest.meta.version > state.announced) {
      result.announced = await announceVersion(deps.store, detailOf(latest.meta), { sk: deps.newId(), expiresAt: expiresAt(deps.now, deps.retentionDays) });
    }
    return result;
  } catch (error: unknown) {
    deps.log.warn('catalog files not written; the next pass catches up', { error });
    return { ...result, outcome: 'failed' };
  }
}
