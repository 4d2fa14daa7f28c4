/**
 * The delivery function's handler for a parsed configuration: the endpoints
 * from Secrets Manager (read now, at cold start, then at most every five
 * minutes), retries on SQS, and the SQS batch answer with the messages to
 * deliver again (ReportBatchItemFailures).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createLogger, type Logger } from '../core/log';
import type { DeliverConfig } from './config';
import { createDeliverer, type DeliverDeps } from './deliver';
import { createEndpointSource } from './endpoint-source';
import { createSecretReader } from './secrets-manager';
import { createSqsRetryQueue } from './sqs';

export function createDeliverHandler(deps: DeliverDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const handle = createDeliverer(deps);
  return (event) => handle(event.Records.map((r) => ({ messageId: r.messageId, body: r.body })));
}

export function deliverHandlerFromConfig(config: DeliverConfig, log: Logger = createLogger({ function: 'deliver' })) {
  const endpoints = createEndpointSource({
    read: createSecretReader({ region: config.AWS_REGION, secretId: config.WEBHOOK_ENDPOINTS_SECRET_ID, jsonKey: config.WEBHOOK_ENDPOINTS_JSON_KEY, endpoint: config.SECRETS_MANAGER_ENDPOINT }),
    log,
  });
  // Read during the cold start; a failure here is retried by the first invocation.
  endpoints().catch(() => undefined);
  const queue = createSqsRetryQueue({ region: config.AWS_REGION, queueUrl: config.DELIVER_QUEUE_URL, deadLetterUrl: config.DELIVER_DLQ_URL, endpoint: config.SQS_ENDPOINT });
  return createDeliverHandler({ endpoints, queue, log });
}
