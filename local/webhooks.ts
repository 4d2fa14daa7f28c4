/**
 * Signed webhooks on this machine: our webhook receiver (deliveries appended
 * to a JSON-lines file), a generated `whsec_` secret, the endpoints' secret
 * served by a local Secrets Manager, and the very delivery handler of the
 * deliver function behind a local model of its queue. `onEvent` is what the
 * rule would put on the queue.
 */
import { randomBytes } from 'node:crypto';
import { createLogger, type Logger } from '../lib/core/log';
import type { BusEvent } from '../lib/deliver/messages';
import { createEndpointSource } from '../lib/deliver/endpoint-source';
import { createDeliverHandler } from '../lib/deliver/handler';
import { createSecretReader } from '../lib/deliver/secrets-manager';
import { createLocalDeliveryQueue, type LocalDeliveryQueue } from './delivery-queue';
import { startSecretsManager, type SecretsManagerStandIn } from './secrets-manager';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

export const LOCAL_SECRET_ID = 'region-sync/webhooks';

export interface LocalWebhooks {
  receiver: WebhookReceiver;
  secretsManager: SecretsManagerStandIn;
  queue: LocalDeliveryQueue;
  /** The `whsec_` secret of the endpoint named `local`. */
  secret: string;
  /** The environment a process needs to read the same endpoints (replay). */
  env: Record<string, string>;
  onEvent(event: BusEvent): void;
  close(): Promise<void>;
}

export interface LocalWebhooksOptions {
  logFile?: string;
  /** Backoff delays are multiplied by it (tests: 0.001). */
  timeScale?: number;
  /** Per-try deadline (10 s as deployed). */
  timeoutMs?: number;
  /** The secret's value, given the receiver's URL and the generated secret; one endpoint `local` by default. */
  endpoints?: (receiverUrl: string, secret: string) => unknown;
  log?: Logger;
  /** How often the endpoints are read again (5 minutes as deployed). */
  endpointsMaxAgeMs?: number;
}

export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export async function startLocalWebhooks(options: LocalWebhooksOptions = {}): Promise<LocalWebhooks> {
  const receiver = await startWebhookReceiver(options.logFile !== undefined ? { logFile: options.logFile } : {});
  const secret = generateSecret();
  const value = options.endpoints?.(receiver.url, secret) ?? [{ name: 'local', url: `${receiver.url}/local`, secret }];
  const secretsManager = await startSecretsManager({ [LOCAL_SECRET_ID]: typeof value === 'string' ? value : JSON.stringify(value) });
  const log = options.log ?? createLogger({ function: 'deliver' }, (line) => process.stderr.write(`${line}\n`));
  const queue = createLocalDeliveryQueue({ timeScale: options.timeScale ?? 1 });
  const endpoints = createEndpointSource({
    read: createSecretReader({ region: 'us-east-1', secretId: LOCAL_SECRET_ID, endpoint: secretsManager.endpoint }),
    log,
    ...(options.endpointsMaxAgeMs !== undefined ? { maxAgeMs: options.endpointsMaxAgeMs } : {}),
  });
  queue.attach(createDeliverHandler({ endpoints, queue: queue.queue, log, now: queue.now, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) }));
  return {
    receiver,
    secretsManager,
    queue,
    secret,
    env: { WEBHOOK_ENDPOINTS_SECRET_ID: LOCAL_SECRET_ID, SECRETS_MANAGER_ENDPOINT: secretsManager.endpoint },
    onEvent: (event) => queue.send(event),
    async close() {
      queue.close();
      await receiver.close();
      await secretsManager.close();
    },
  };
}
