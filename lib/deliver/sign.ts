/**
 * Standard Webhooks signing, pure: the body of a delivery and its three
 * headers. The signature is `v1,<base64 HMAC-SHA256("<id>.<timestamp>.<body>")>`
 * keyed with the base64-decoded part of the `whsec_` secret, so the
 * `standardwebhooks` libraries of every language verify it. The body is built
 * with sorted keys, so a change delivered from the bus and replayed from the
 * feed is the same string: the same id, body and timestamp give the same
 * signature.
 */
import { createHmac } from 'node:crypto';

export interface WebhookMessage {
  /** `webhook-id`: the change id for a change, the event id otherwise; the same on every try. */
  id: string;
  /** `region.added`, `source.degraded`, … */
  type: string;
  /** RFC 3339: when the change was detected, or the event's time. */
  timestamp: string;
  data: unknown;
}

export interface SignedRequest {
  body: string;
  headers: Record<'content-type' | 'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;
}

/** The body: `{"data", "timestamp", "type"}` as canonical JSON. */
export function webhookBody(message: WebhookMessage): string {
  return sortedJson({ type: message.type, timestamp: message.timestamp, data: message.data });
}

/**
 * JSON with object keys sorted at every depth (as lib/core/region's
 * canonicalJson, which this bundle cannot import without zod's weight).
 */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

export function signature(key: Buffer, id: string, unixSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${unixSeconds}.${body}`).digest('base64')}`;
}

/** The request for one try at `at`: signed with that time (a receiver rejects an old timestamp). */
export function signRequest(key: Buffer, id: string, body: string, at: Date): SignedRequest {
  const seconds = Math.floor(at.getTime() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(seconds),
      'webhook-signature': signature(key, id, seconds, body),
    },
  };
}
