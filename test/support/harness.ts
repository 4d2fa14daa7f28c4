/**
 * One sync test bench: a fresh table on the run's DynamoDB Local, both
 * upstream simulators and the PutEvents receiver on real sockets, and a
 * `pass()` that runs the real sync pass against them. Log lines are captured
 * so tests can read them (and check no secret is in any).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { loadSyncConfig, type SyncConfig } from '../../lib/sync/config';
import { createEventBridgeClient } from '../../lib/sync/eventbridge';
import { createLogger, registerSecret } from '../../lib/core/log';
import { createDocumentClient } from '../../lib/store/client';
import type { Change } from '../../lib/core/region';
import { clearTokenCache } from '../../lib/sync/sources/huawei-iam';
import { decodeChanges, PK, type ChangesItem } from '../../lib/store/items';
import type { Meter } from '../../lib/store/meter';
import { runPass, type PassSummary } from '../../lib/sync/pass';
import { startEventReceiver, type EventReceiver } from '../../local/event-receiver';
import { simulatorEnv, startModelartsSimulator, startZillizSimulator, type ModelartsSimulator, type ZillizSimulator } from '../../local/simulators';
import { freshTable } from './db';

export interface Harness {
  zilliz: ZillizSimulator;
  modelarts: ModelartsSimulator;
  receiver: EventReceiver;
  config: SyncConfig;
  env: Record<string, string>;
  table: Awaited<ReturnType<typeof freshTable>>;
  logLines: string[];
  pass(options?: { meter?: Meter }): Promise<PassSummary>;
  /** Every change committed, in sequence order, read from the changesets. */
  committedChanges(): Promise<Change[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Where the pass reaches DynamoDB (a fault proxy); the harness's own reads stay direct. */
  storeEndpoint?: string;
  zillizKey?: string;
  huaweiPassword?: string;
}

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const table = await freshTable();
  const zilliz = await startZillizSimulator(options.zillizKey ? { apiKey: options.zillizKey } : {});
  const modelarts = await startModelartsSimulator(options.huaweiPassword ? { password: options.huaweiPassword } : {});
  const receiver = await startEventReceiver();
  const env: Record<string, string> = {
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    EVENT_BUS_NAME: 'region-sync-test',
    EVENTBRIDGE_ENDPOINT: receiver.endpoint,
    ...simulatorEnv(zilliz, modelarts),
    UPSTREAM_TIMEOUT_MS: '800',
    UPSTREAM_RETRIES: '2',
    PASS_DEADLINE_MS: '4000',
    ...options.env,
  };
  const config = loadSyncConfig(env);
  registerSecret(config.zilliz?.apiKey);
  registerSecret(modelarts.password);
  clearTokenCache();
  const logLines: string[] = [];
  const log = createLogger({ test: true }, (line) => logLines.push(line), 'debug');
  const events = createEventBridgeClient({ region: 'us-east-1', endpoint: receiver.endpoint });
  const store = {
    doc: options.storeEndpoint ? createDocumentClient({ region: 'us-east-1', endpoint: options.storeEndpoint }) : table.doc,
    table: table.tableName,
  };
  return {
    zilliz,
    modelarts,
    receiver,
    config,
    env,
    table,
    logLines,
    pass: ({ meter } = {}) =>
      runPass({ config, store: { ...store, meter }, events, log, backoffMs: 5, publish: { leaseWaitMs: 3_000, backoffMs: 5 } }),
    async committedChanges() {
      const out = await table.doc.send(
        new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK.changes }, ConsistentRead: true }),
      );
      return ((out.Items ?? []) as ChangesItem[]).flatMap(decodeChanges);
    },
    async close() {
      events.destroy();
      await Promise.all([zilliz.close(), modelarts.close(), receiver.close()]);
      await table.drop();
    },
  };
}

/** The number of regions in the sample data: 12 AWS + 6 GCP + 3 Azure + 4 ModelArts. */
export const SAMPLE_REGIONS = 25;
