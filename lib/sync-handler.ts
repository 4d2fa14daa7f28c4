/**
 * The sync function's wiring: clients built once from the configuration, and a
 * middy handler that runs one pass and logs its summary. A scope that fails is
 * recorded, not thrown: the next scheduled pass retries it. Only an unexpected
 * error (the table unreachable) fails the invocation.
 */
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { secretsOf, type SyncConfig } from './config/sync';
import { createEventBridgeClient } from './eventbridge';
import { createLogger, registerSecret, type Logger } from './log';
import { createDocumentClient } from './store/client';
import { runPass, type PassSummary } from './sync';

export function createSyncHandler(config: SyncConfig, log: Logger = createLogger({ service: 'region-sync', function: 'sync' })) {
  for (const secret of secretsOf(config)) registerSecret(secret);
  const store = { doc: createDocumentClient({ region: config.region, endpoint: config.dynamoEndpoint }), table: config.tableName };
  const events = createEventBridgeClient({ region: config.region, endpoint: config.eventBridgeEndpoint });
  return middy(async (_event: ScheduledEvent | Record<string, never>): Promise<PassSummary> => {
    const summary = await runPass({ config, store, events, log });
    log.info('pass complete', { ...summary });
    return summary;
  });
}
