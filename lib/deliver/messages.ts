/**
 * What travels on the delivery queue, pure: the EventBridge event a rule puts
 * there, and the retry item the function puts back for one endpoint; and the
 * webhook message (id, type, timestamp, data) of an event or of a feed change.
 */
import { webhookType } from '../core/detail-type-list';
import { CHANGE_TYPES as CHANGE_TYPE_LIST, type Change } from '../core/api-records';
import type { WebhookMessage } from './sign';

/** An event as EventBridge hands it to a rule's target. */
export interface BusEvent {
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  detail: unknown;
}

/** One endpoint's pending delivery: the message, how many tries failed, since when. */
export interface RetryItem {
  retry: 1;
  endpoint: string;
  message: WebhookMessage;
  /** Tries made so far. */
  attempt: number;
  /** Epoch ms of the first try: retries stop 24 hours after it. */
  firstTryAt: number;
  /** Epoch ms before which the next try is not made (SQS delays at most 15 minutes). */
  dueAt: number;
}

const CHANGE_TYPES = new Set<string>(CHANGE_TYPE_LIST);

/** The change's message: id = change id, timestamp = detectedAt, as delivered from the bus and replayed from the feed. */
export function changeMessage(change: Change): WebhookMessage {
  return { id: change.id, type: change.type, timestamp: change.detectedAt, data: change };
}

export function eventMessage(event: BusEvent): WebhookMessage {
  const type = webhookType(event['detail-type']);
  const detail = event.detail as Partial<Change> | null;
  if (CHANGE_TYPES.has(type) && typeof detail?.id === 'string' && typeof detail.detectedAt === 'string') {
    return { id: detail.id, type, timestamp: detail.detectedAt, data: event.detail };
  }
  return { id: event.id, type, timestamp: event.time, data: event.detail };
}

export type QueueMessage = { kind: 'event'; event: BusEvent } | { kind: 'retry'; item: RetryItem };

/** A queue message's body, or undefined when it is neither an event nor a retry item. */
export function parseQueueMessage(body: string): QueueMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (v.retry === 1 && typeof v.endpoint === 'string' && typeof v.attempt === 'number' && v.message && typeof v.message === 'object') {
    return { kind: 'retry', item: value as RetryItem };
  }
  if (typeof v.id === 'string' && typeof v['detail-type'] === 'string' && typeof v.time === 'string') {
    return { kind: 'event', event: value as BusEvent };
  }
  return undefined;
}
