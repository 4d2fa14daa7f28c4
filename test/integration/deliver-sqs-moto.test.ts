/**
 * The delivery function on a real SQS: moto's (server mode), with the
 * handler as deployed (deliverHandlerFromConfig: the endpoints read from
 * moto's Secrets Manager, retries and dead letters sent to moto's SQS) and the
 * webhook receiver of local/ over a real socket. The test plays Lambda's SQS
 * event source, as AWS does for the function: it receives a batch, invokes the
 * handler, and deletes the messages not named in `batchItemFailures`.
 * Witnesses: the queues' own state, read from moto (visible, delayed, in
 * flight, the dead-letter queue's messages), and the receiver's log, every
 * request verified with `standardwebhooks` and the endpoint's secret.
 * Skipped with a line when moto is not installed; `.ci/run` runs it.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/core/log';
import { loadDeliverConfig } from '../../lib/deliver/config';
import { deliverHandlerFromConfig } from '../../lib/deliver/handler';
import type { BusEvent } from '../../lib/deliver/messages';
import { FIRST_DELAY_SECONDS } from '../../lib/deliver/policy';
import { generateSecret } from '../../local/webhooks';
import { startWebhookReceiver, type Delivery, type WebhookReceiver } from '../../local/webhook-receiver';
import { motoAvailable, startMoto, type Moto } from './notifications-moto';

const available = motoAvailable();
if (!available) console.log("moto not installed: the delivery function's SQS path against a real queue is skipped (.ci/run runs it)");

const REGION = 'us-east-1';
const credentials = { accessKeyId: 'moto', secretAccessKey: 'moto' };
/** The queue's redrive as the template sets it, shorter: a message the function fails this many times goes to the dead-letter queue. */
const MAX_RECEIVES = 2;
const VISIBILITY_SECONDS = 2;

let moto: Moto;
let sqs: SQSClient;
let receiver: WebhookReceiver;
let queueUrl: string;
let dlqUrl: string;
let handler: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
const secrets = { ops: generateSecret(), audit: generateSecret() };
const logLines: string[] = [];

beforeAll(async () => {
  if (!available) return;
  [moto, receiver] = await Promise.all([startMoto(), startWebhookReceiver()]);
  sqs = new SQSClient({ region: REGION, endpoint: moto.url, credentials });
  dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'deliver-dlq' }))).QueueUrl!;
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  queueUrl = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: 'deliver',
        Attributes: {
          VisibilityTimeout: String(VISIBILITY_SECONDS),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVES }),
        },
      }),
    )
  ).QueueUrl!;
  const endpoints = [
    { name: 'ops', url: `${receiver.url}/ops`, secret: secrets.ops },
    { name: 'audit', url: `${receiver.url}/audit`, secret: secrets.audit },
  ];
  const sm = new SecretsManagerClient({ region: REGION, endpoint: moto.url, credentials });
  await sm.send(new CreateSecretCommand({ Name: 'region-sync/webhooks', SecretString: JSON.stringify(endpoints) }));
  sm.destroy();
  const config = loadDeliverConfig({
    AWS_REGION: REGION,
    WEBHOOK_ENDPOINTS_SECRET_ID: 'region-sync/webhooks',
    DELIVER_QUEUE_URL: queueUrl,
    DELIVER_DLQ_URL: dlqUrl,
    SECRETS_MANAGER_ENDPOINT: moto.url,
    SQS_ENDPOINT: moto.url,
  });
  handler = deliverHandlerFromConfig(config, createLogger({ function: 'deliver' }, (line) => logLines.push(line), 'debug'));
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await receiver?.close();
  moto?.stop();
});

/** The queue's counts, as SQS reports them. */
async function counts(url: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return { visible: Number(a.ApproximateNumberOfMessages), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible), delayed: Number(a.ApproximateNumberOfMessagesDelayed) };
}

const receive = async (url: string, waitSeconds = 0): Promise<Message[]> =>
  (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, AttributeNames: ['All'] }))).Messages ?? [];

/** What Lambda's SQS event source does with one batch: invoke, then delete what the function did not report failed. */
async function invoke(messages: Message[]): Promise<string[]> {
  const records = messages.map((m) => ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body! }) as SQSRecord);
  const { batchItemFailures } = await handler({ Records: records });
  const failed = batchItemFailures.map((f) => f.itemIdentifier);
  for (const m of messages) if (!failed.includes(m.MessageId!)) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  return failed;
}

const event = (id: string): BusEvent => ({
  id,
  'detail-type': 'Source Degraded',
  source: 'region-sync',
  time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  detail: { source: 'zilliz', scope: 'zilliz/aws', error: 'upstream answered 503', failures: 3 },
});

const verify = (endpoint: keyof typeof secrets, d: Delivery) => new Webhook(secrets[endpoint]).verify(d.body, d.headers);

describe.skipIf(!available)("the delivery function's SQS path, in moto", () => {
  it('a failed try comes back as a delayed message and is delivered with the same webhook-id; the other endpoint is not held up; the queue ends empty', async () => {
    receiver.script('ops', [{ status: 500 }]);
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event('evt-retry')) }));
    const first = await receive(queueUrl, 5);
    expect(first).toHaveLength(1);
    const invokedAt = Date.now();
    expect(await invoke(first)).toEqual([]);

    // audit took it at once; ops failed, and its retry waits in the queue, delayed by its backoff (about 15 to 30 s).
    expect(receiver.requests.map((d) => d.endpoint).sort()).toEqual(['audit', 'ops']);
    expect(receiver.delivered().map((d) => d.endpoint)).toEqual(['audit']);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(await receive(queueUrl)).toEqual([]);

    // The retry shows up by itself when its delay is over, no sooner than the first backoff's lower bound.
    let retry: Message[] = [];
    while (retry.length === 0 && Date.now() - invokedAt < (FIRST_DELAY_SECONDS + 15) * 1000) retry = await receive(queueUrl, 5);
    expect(retry).toHaveLength(1);
    // A lower bound only (a loaded machine makes it later, never sooner): SQS held it for the backoff the function asked.
    expect(Date.now() - invokedAt).toBeGreaterThanOrEqual((FIRST_DELAY_SECONDS / 2 - 1) * 1000);
    expect(JSON.parse(retry[0]!.Body!)).toMatchObject({ retry: 1, endpoint: 'ops', attempt: 1 });
    expect(await invoke(retry)).toEqual([]);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    // The receiver's log: ops got two tries with one webhook-id and one body, both verified; audit one.
    const ops = receiver.requests.filter((d) => d.endpoint === 'ops');
    expect(ops).toHaveLength(2);
    expect(new Set(ops.map((d) => d.headers['webhook-id']))).toEqual(new Set(['evt-retry']));
    expect(ops[1]!.body).toBe(ops[0]!.body);
    for (const d of ops) expect(verify('ops', d)).toMatchObject({ type: 'source.degraded' });
    const audit = receiver.requests.filter((d) => d.endpoint === 'audit');
    expect(audit.map((d) => d.headers['webhook-id'])).toEqual(['evt-retry']);
    expect(() => verify('ops', audit[0]!)).toThrow();
    expect(verify('audit', audit[0]!)).toMatchObject({ type: 'source.degraded' });
  }, 90_000);

  it('a message the function reports failed is visible again after the visibility timeout, and after maxReceiveCount SQS moves it to the dead-letter queue; the rest of its batch is deleted', async () => {
    const before = receiver.requests.length;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"neither": "an event nor a retry item"}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event('evt-fine')) }));
    const bad = (ms: Message[]) => ms.filter((m) => m.Body?.includes('neither'));
    const batch: Message[] = [];
    for (let i = 0; i < 5 && batch.length < 2; i++) batch.push(...(await receive(queueUrl, 1)));
    expect(batch).toHaveLength(2);
    const failed = await invoke(batch);
    expect(failed).toEqual(bad(batch).map((m) => m.MessageId));
    // The good one was delivered to both endpoints and deleted; the bad one is in flight until its visibility timeout.
    expect(receiver.requests.slice(before).map((d) => [d.endpoint, d.headers['webhook-id']]).sort()).toEqual([['audit', 'evt-fine'], ['ops', 'evt-fine']]);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    expect(await receive(queueUrl)).toEqual([]);

    // Visible again once the timeout is over: the second receive of it, failed again.
    let again: Message[] = [];
    for (let i = 0; i < 10 && again.length === 0; i++) again = await receive(queueUrl, 1);
    expect(again.map((m) => [m.MessageId, m.Attributes?.ApproximateReceiveCount])).toEqual([[bad(batch)[0]!.MessageId, String(MAX_RECEIVES)]]);
    expect(await invoke(again)).toEqual([again[0]!.MessageId]);

    // One receive past maxReceiveCount: SQS moves it to the dead-letter queue instead of handing it over.
    let redriven: Message[] = [];
    for (let i = 0; i < 10 && redriven.length === 0; i++) {
      expect(await receive(queueUrl, 1)).toEqual([]);
      redriven = await receive(dlqUrl);
    }
    expect(redriven.map((m) => [m.MessageId, m.Body])).toEqual([[bad(batch)[0]!.MessageId, '{"neither": "an event nor a retry item"}']]);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(logLines.some((l) => l.includes('message not handled'))).toBe(true);
  }, 60_000);

  it('a delivery failing past 24 hours is sent to the dead-letter queue with its reason, the same webhook-id', async () => {
    receiver.script('ops', [{ status: 503 }]);
    const webhookMessage = { id: 'evt-old', type: 'source.degraded', timestamp: new Date().toISOString(), data: { source: 'zilliz' } };
    const dayAgo = Date.now() - 24 * 3600 * 1000 - 1000;
    // A retry item as the function itself queued it a day ago (its first try more than 24 hours back, due now).
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ retry: 1, endpoint: 'ops', message: webhookMessage, attempt: 29, firstTryAt: dayAgo, dueAt: Date.now() }),
      }),
    );
    const batch = await receive(queueUrl, 5);
    expect(await invoke(batch)).toEqual([]);
    const dead = await receive(dlqUrl, 5);
    expect(dead.map((m) => JSON.parse(m.Body!) as Record<string, unknown>)).toMatchObject([{ endpoint: 'ops', attempt: 30, message: { id: 'evt-old' }, reason: expect.stringContaining('503') }]);
    const last = receiver.requests.at(-1)!;
    expect([last.endpoint, last.headers['webhook-id']]).toEqual(['ops', 'evt-old']);
    expect(verify('ops', last)).toMatchObject({ type: 'source.degraded' });
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  }, 60_000);
});
