/**
 * The delivery function's work on a batch of queue messages. An event is
 * tried at once on every endpoint whose `types` match, all in parallel; a
 * failed try puts a retry item for that endpoint alone back on the queue with
 * its backoff delay, so one slow or failing endpoint never delays another.
 * After 24 hours of failures the item goes to the dead-letter queue. A
 * message is reported failed (SQS redelivers it) only when the queue could
 * not take its retry items: delivery is at least once, with the same
 * `webhook-id` on every try.
 */
import type { Logger } from '../core/log';
import { wants, type Endpoint } from './endpoints';
import { eventMessage, parseQueueMessage, type RetryItem } from './messages';
import { afterFailure } from './policy';
import { post as httpPost, type Post } from './post';
import { signRequest, webhookBody } from './sign';

export const TRY_TIMEOUT_MS = 10_000;

export interface RetryQueue {
  /** Puts the item back to be tried again in `delaySeconds`. */
  later(item: RetryItem, delaySeconds: number): Promise<void>;
  /** Keeps an item that will not be tried again. */
  deadLetter(item: RetryItem, reason: string): Promise<void>;
}

export interface DeliverDeps {
  endpoints(): Promise<readonly Endpoint[]>;
  queue: RetryQueue;
  log: Logger;
  post?: Post;
  timeoutMs?: number;
  /** The clock of the retry schedule (a local model of the queue runs it fast); signatures always carry the real time. */
  now?: () => number;
  random?: () => number;
}

export interface QueueRecord {
  messageId: string;
  body: string;
}

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

export function createDeliverer(deps: DeliverDeps) {
  const post = deps.post ?? httpPost;
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? TRY_TIMEOUT_MS;
  const { log, queue } = deps;

  /** One try of one item; a failure is queued again or dead-lettered. */
  async function attempt(endpoint: Endpoint, item: RetryItem, body: string): Promise<void> {
    const request = signRequest(endpoint.key, item.message.id, body, new Date());
    const result = await post(endpoint.url, request, timeoutMs);
    const tries = item.attempt + 1;
    const fields = { endpoint: endpoint.name, webhookId: item.message.id, type: item.message.type, attempt: tries };
    if (result.ok) {
      log.info('delivered', { ...fields, status: result.status });
      return;
    }
    const failed: RetryItem = { ...item, attempt: tries };
    const step = afterFailure(tries, item.firstTryAt, now(), deps.random);
    if (step.kind === 'dead') {
      log.error('delivery given up after 24 hours: kept in the dead-letter queue', { ...fields, error: result.error });
      await queue.deadLetter(failed, result.error);
      return;
    }
    log.warn('delivery failed; tried again later', { ...fields, error: result.error, retryInSeconds: step.delaySeconds });
    await queue.later({ ...failed, dueAt: now() + step.delaySeconds * 1000 }, step.delaySeconds);
  }

  async function handleRecord(record: QueueRecord): Promise<void> {
    const message = parseQueueMessage(record.body);
    if (!message) throw new Error('not an event nor a retry item');
    const endpoints = await deps.endpoints();
    if (message.kind === 'event') {
      const webhook = eventMessage(message.event);
      const body = webhookBody(webhook);
      const at = now();
      await Promise.all(
        endpoints
          .filter((e) => wants(e, webhook.type))
          .map((e) => attempt(e, { retry: 1, endpoint: e.name, message: webhook, attempt: 0, firstTryAt: at, dueAt: at }, body)),
      );
      return;
    }
    const { item } = message;
    const wait = Math.ceil((item.dueAt - now()) / 1000);
    // SQS delays a message at most 15 minutes: a longer backoff is waited out in several hops.
    if (wait > 1) return queue.later(item, wait);
    const endpoint = endpoints.find((e) => e.name === item.endpoint);
    if (!endpoint) {
      log.warn('endpoint no longer configured: the delivery is kept in the dead-letter queue', { endpoint: item.endpoint, webhookId: item.message.id });
      return queue.deadLetter(item, 'endpoint-removed');
    }
    await attempt(endpoint, item, webhookBody(item.message));
  }

  return async function handle(records: readonly QueueRecord[]): Promise<BatchResult> {
    const results = await Promise.allSettled(records.map(handleRecord));
    const batchItemFailures: { itemIdentifier: string }[] = [];
    results.forEach((result, i) => {
      const record = records[i];
      if (result.status === 'fulfilled' || !record) return;
      const reason: unknown = result.reason;
      log.error('message not handled; the queue will deliver it again', {
        messageId: record.messageId,
        error: reason instanceof Error ? { name: reason.name, message: reason.message } : String(reason),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    });
    return { batchItemFailures };
  };
}
