/**
 * The retry queue on SQS: a retry item goes back on the delivery queue with
 * its delay (SQS allows 15 minutes; a longer backoff is waited out in hops,
 * see ./deliver), and a given-up item goes to the dead-letter queue. The SQS
 * client is loaded on the first failure: a cold start that delivers needs none.
 */
import type { RetryItem } from './messages';
import type { RetryQueue } from './deliver';
import { AWS_HTTP } from '../core/aws-http';

export const MAX_SQS_DELAY_SECONDS = 900;

export interface SqsQueueOptions {
  region: string;
  queueUrl: string;
  deadLetterUrl: string;
  endpoint?: string | undefined;
}

export function createSqsRetryQueue(options: SqsQueueOptions): RetryQueue {
  let client: Promise<{ send: (url: string, body: string, delaySeconds: number) => Promise<void> }> | undefined;
  const sqs = () =>
    (client ??= import('@aws-sdk/client-sqs').then(({ SQSClient, SendMessageCommand }) => {
      const raw = new SQSClient({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
        maxAttempts: 3,
        requestHandler: AWS_HTTP,
      });
      return {
        send: async (url: string, body: string, delaySeconds: number) => {
          await raw.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, DelaySeconds: delaySeconds }));
        },
      };
    }));
  return {
    async later(item: RetryItem, delaySeconds: number) {
      await (await sqs()).send(options.queueUrl, JSON.stringify(item), Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds))));
    },
    async deadLetter(item: RetryItem, reason: string) {
      await (await sqs()).send(options.deadLetterUrl, JSON.stringify({ ...item, reason }), 0);
    },
  };
}
