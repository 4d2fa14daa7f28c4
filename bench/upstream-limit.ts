/**
 * The upstream half of the scale limit: the requests a pass made to the
 * simulators, sent again as they were (same path, query, headers and body,
 * so the same answer), all at once, each answer read to its last byte. What
 * a pass cannot avoid before it writes: one fetch of the same answer.
 */
import type { RecordedRequest } from '../local/simulators/control';

export interface RecordedCall {
  base: string;
  request: RecordedRequest;
}

export interface UpstreamLimit {
  requests: number;
  bytes: number;
  ms: number;
}

/** Headers fetch sets itself (or refuses). */
const HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'expect', 'upgrade']);

function replay({ base, request }: RecordedCall): Promise<number> {
  const url = new URL(request.path, base);
  for (const [k, v] of Object.entries(request.query)) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) if (!HOP.has(k) && v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const body = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  return fetch(url, { method: request.method, headers, ...(body === undefined || request.method === 'GET' ? {} : { body }) }).then(async (res) => {
    const text = await res.text();
    if (!res.ok) throw new Error(`upstream limit: ${request.method} ${request.path} answered ${res.status}: ${text.slice(0, 200)}`);
    return text.length;
  });
}

/** Sends the calls again, all in flight at once; timed from the first send to the last byte. */
export async function upstreamLimit(calls: readonly RecordedCall[]): Promise<UpstreamLimit> {
  const started = performance.now();
  const sizes = await Promise.all(calls.map(replay));
  return { requests: calls.length, bytes: sizes.reduce((a, b) => a + b, 0), ms: Math.round(performance.now() - started) };
}
