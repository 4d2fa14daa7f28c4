/**
 * A local model of the delivery queue (SQS between the rule and the function)
 * for `npm start` and the tests: a message is handed to the delivery handler
 * as an SQS record; a retry item comes back after its delay (multiplied by
 * `timeScale`, so a test sees hours of backoff in milliseconds); a record the
 * handler reports failed comes back after the visibility timeout; a
 * dead-lettered item is kept. Every delay asked for is recorded, in order.
 * `now` is the schedule's clock to give the handler: real time, moved ahead
 * to each retry item's due time as the item is handed over, so a scaled wait
 * counts as the whole wait.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { RetryQueue } from '../lib/deliver/deliver';
import type { RetryItem } from '../lib/deliver/messages';

export interface LocalDeliveryQueue {
  queue: RetryQueue;
  now: () => number;
  /** Attach the handler the messages go to (it needs `queue` to be built first). */
  attach(handler: (event: SQSEvent) => Promise<SQSBatchResponse>): void;
  /** Puts a message (an EventBridge event, as the rule would) on the queue. */
  send(body: unknown): void;
  /** Every `later` call: the item and the delay asked for, in order. */
  scheduled: { item: RetryItem; delaySeconds: number }[];
  dead: { item: RetryItem; reason: string }[];
  /** Resolves when no message is waiting nor being handled. */
  idle(timeoutMs?: number): Promise<void>;
  close(): void;
}

export function createLocalDeliveryQueue(options: { timeScale?: number; visibilityTimeoutSeconds?: number; onDead?: (item: RetryItem, reason: string) => void } = {}): LocalDeliveryQueue {
  const scale = options.timeScale ?? 1;
  const timers = new Set<NodeJS.Timeout>();
  let handler: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;
  let inFlight = 0;
  const scheduled: LocalDeliveryQueue['scheduled'] = [];
  const dead: LocalDeliveryQueue['dead'] = [];
  let offset = 0;
  const now = () => Date.now() + offset;

  const deliver = (body: string, afterMs: number) => {
    inFlight += 1;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const due = dueOf(body);
      if (due !== undefined) offset = Math.max(offset, due - Date.now());
      const messageId = randomUUID();
      const record = { messageId, body } as SQSEvent['Records'][number];
      void (handler?.({ Records: [record] }) ?? Promise.resolve({ batchItemFailures: [] }))
        .then((result) => {
          if (result?.batchItemFailures.some((f) => f.itemIdentifier === messageId)) deliver(body, (options.visibilityTimeoutSeconds ?? 30) * 1000 * scale);
        })
        .catch(() => deliver(body, (options.visibilityTimeoutSeconds ?? 30) * 1000 * scale))
        .finally(() => (inFlight -= 1));
    }, afterMs);
    timers.add(timer);
  };

  const queue: RetryQueue = {
    later(item, delaySeconds) {
      scheduled.push({ item, delaySeconds });
      deliver(JSON.stringify(item), delaySeconds * 1000 * scale);
      return Promise.resolve();
    },
    deadLetter(item, reason) {
      dead.push({ item, reason });
      options.onDead?.(item, reason);
      return Promise.resolve();
    },
  };

  return {
    queue,
    now,
    attach: (h) => (handler = h),
    send: (body) => deliver(JSON.stringify(body), 0),
    scheduled,
    dead,
    async idle(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (inFlight > 0) {
        if (Date.now() > deadline) throw new Error(`delivery queue still busy after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

function dueOf(body: string): number | undefined {
  try {
    const value = JSON.parse(body) as { dueAt?: unknown };
    return typeof value.dueAt === 'number' ? value.dueAt : undefined;
  } catch {
    return undefined;
  }
}
