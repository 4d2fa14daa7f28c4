/**
 * Stage 5, publish: writes the catalog files when a bucket is configured
 * (lib/sync/catalog-files: after the commit, and before the drain, so its
 * `Catalog Published` goes out in this pass), then drains the committed
 * changesets and the outbox to the configured event bus under the publish
 * lease (lib/sync/publish).
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SyncConfig } from '../config';
import type { Logger } from '../../core/log';
import type { StoreDeps } from '../../store/deps';
import { publishPending, type PublishResult } from '../publish';
import { writeCatalogFiles, type CatalogFilesResult } from '../catalog-files';
import type { BucketDeps } from '../../store/catalog-files';

export interface PublishInput {
  store: StoreDeps;
  events: EventBridgeClient;
  config: Pick<SyncConfig, 'eventBusName' | 'eventSource'>;
  log: Logger;
  /** The pass id: the lease holder. */
  owner: string;
  options?: { leaseMs?: number; leaseWaitMs?: number; backoffMs?: number } | undefined;
  /** Settles once this pass has queued its operational events: the outbox is listed after it. */
  queued?: Promise<void> | undefined;
  /** The catalog files' bucket (CATALOG_BUCKET), with what their bookkeeping stamps. */
  files?: { bucket: BucketDeps | Promise<BucketDeps>; now: string; retentionDays: number; newId: () => string } | undefined;
}

export interface PublishOutput extends PublishResult {
  /** What the catalog files step did, when a bucket is configured. */
  files?: CatalogFilesResult;
}

export async function publishStage(input: PublishInput): Promise<PublishOutput> {
  const files = input.files ? await writeCatalogFiles({ store: input.store, log: input.log, ...input.files }) : undefined;
  const published = await publishPending({
    ...input.store,
    events: input.events,
    target: { busName: input.config.eventBusName, source: input.config.eventSource },
    log: input.log,
    owner: input.owner,
    queued: input.queued,
    ...input.options,
  });
  return files ? { ...published, files } : published;
}
