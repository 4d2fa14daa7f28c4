/**
 * Stage 5, publish: drains the committed changesets and the outbox to the
 * configured event bus under the publish lease (lib/sync/publish).
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SyncConfig } from '../config';
import type { Logger } from '../../core/log';
import type { StoreDeps } from '../../store/deps';
import { publishPending, type PublishResult } from '../publish';

export interface PublishInput {
  store: StoreDeps;
  events: EventBridgeClient;
  config: Pick<SyncConfig, 'eventBusName' | 'eventSource'>;
  log: Logger;
  /** The pass id: the lease holder. */
  owner: string;
  options?: { leaseMs?: number; leaseWaitMs?: number; backoffMs?: number } | undefined;
}

export function publishStage(input: PublishInput): Promise<PublishResult> {
  return publishPending({
    ...input.store,
    events: input.events,
    target: { busName: input.config.eventBusName, source: input.config.eventSource },
    log: input.log,
    owner: input.owner,
    ...input.options,
  });
}
