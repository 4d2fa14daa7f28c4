/**
 * Delivering again from the feed: each change, oldest first, signed now, to
 * one endpoint, one try each. The id and the body are those of the first
 * delivery (./messages, ./sign), so a receiver deduplicates a replay and
 * verifies it as it did the original.
 */
import type { Change } from '../core/api-records';
import type { Endpoint } from './endpoints';
import { changeMessage } from './messages';
import { post as httpPost, type Post, type PostResult } from './post';
import { signRequest, webhookBody } from './sign';
import { TRY_TIMEOUT_MS } from './deliver';

export interface ReplayResult {
  id: string;
  type: string;
  result: PostResult;
}

export async function replayChanges(endpoint: Endpoint, changes: readonly Change[], options: { post?: Post; timeoutMs?: number } = {}): Promise<ReplayResult[]> {
  const post = options.post ?? httpPost;
  const results: ReplayResult[] = [];
  for (const change of changes) {
    if (endpoint.types && !endpoint.types.has(change.type)) continue;
    const message = changeMessage(change);
    const request = signRequest(endpoint.key, message.id, webhookBody(message), new Date());
    results.push({ id: message.id, type: message.type, result: await post(endpoint.url, request, options.timeoutMs ?? TRY_TIMEOUT_MS) });
  }
  return results;
}
