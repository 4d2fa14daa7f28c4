/**
 * One HTTP client per upstream and pass: ofetch with an explicit per-attempt
 * timeout, a deadline shared by the whole pass, and retries with exponential
 * backoff and full jitter for network errors, timeouts, 408/425/429 and 5xx,
 * honouring `Retry-After`. An answer, 2xx or not, comes back as status and text
 * for the source to classify and validate; no answer at all (network, timeout,
 * deadline) throws an UpstreamError.
 */
import { FetchError, ofetch, type FetchContext } from 'ofetch';
import { UpstreamError } from '../../core/errors';
import { redact } from '../../core/log';

export interface UpstreamHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  retries: number;
  /** Aborts every request of the pass; aborted means the pass deadline has passed. */
  deadline: AbortSignal;
  headers?: Record<string, string>;
  /** Backoff base; tests shorten it. */
  backoffMs?: number;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  body: string;
}

export type UpstreamRequest = (
  scope: string,
  path: string,
  init?: { method?: 'GET' | 'POST'; query?: Record<string, string>; body?: unknown; headers?: Record<string, string> },
) => Promise<UpstreamResponse>;

const RETRY_STATUS = [408, 425, 429, 500, 502, 503, 504];
const MAX_BACKOFF_MS = 10_000;

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only an HTTP-date (IMF-fixdate): Date.parse alone takes "1.5" or "-5" for dates in 2001.
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Full-jitter exponential backoff, or the server's Retry-After when it gave one. */
export function backoffDelay(attempt: number, baseMs: number, retryAfter: number | undefined, random = Math.random): number {
  if (retryAfter !== undefined) return Math.min(retryAfter, MAX_BACKOFF_MS * 6);
  return Math.round(random() * Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempt));
}

export function createUpstreamHttp(options: UpstreamHttpOptions): UpstreamRequest {
  const { baseUrl, timeoutMs, retries, deadline, backoffMs = 200 } = options;
  const client = ofetch.create({
    baseURL: baseUrl,
    retry: retries,
    retryStatusCodes: RETRY_STATUS,
    // Each attempt gets its own timeout, all of them the pass deadline.
    onRequest: (ctx: FetchContext) => {
      ctx.options.signal = AbortSignal.any([deadline, AbortSignal.timeout(timeoutMs)]);
    },
    retryDelay: (ctx: FetchContext) => {
      const attempt = retries - (typeof ctx.options.retry === 'number' ? ctx.options.retry : 0);
      return backoffDelay(attempt, backoffMs, retryAfterMs(ctx.response?.headers.get('retry-after') ?? null));
    },
    parseResponse: (text: string) => text,
    headers: { accept: 'application/json', ...options.headers },
  });

  return async (scope, path, init = {}) => {
    try {
      const response = await client.raw<string>(path, {
        method: init.method ?? 'GET',
        ...(init.query ? { query: init.query } : {}),
        ...(init.body !== undefined ? { body: init.body as Record<string, unknown> } : {}),
        ...(init.headers ? { headers: init.headers } : {}),
        // POST is retried too: every call here is a read, safe to repeat.
        retry: retries,
      });
      return { status: response.status, headers: response.headers, body: response._data ?? '' };
    } catch (error: unknown) {
      // The last answer after retries, e.g. a 401 with a business code in its body.
      if (error instanceof FetchError && error.response && !deadline.aborted) {
        const data: unknown = error.data;
        return { status: error.response.status, headers: error.response.headers, body: typeof data === 'string' ? data : '' };
      }
      throw toUpstreamError(error, scope, path, deadline);
    }
  };
}

function toUpstreamError(error: unknown, scope: string, path: string, deadline: AbortSignal): UpstreamError {
  if (deadline.aborted) {
    return new UpstreamError('deadline', scope, `${path}: the pass deadline passed`, { path }, { cause: error });
  }
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
  return timedOut
    ? new UpstreamError('timeout', scope, `${path}: no answer in time`, { path }, { cause: error })
    : new UpstreamError('network', scope, redact(`${path}: ${cause instanceof Error ? cause.message : 'network error'}`), { path }, { cause: error });
}

