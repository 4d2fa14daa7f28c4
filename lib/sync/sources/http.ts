/**
 * One HTTP client per upstream and pass: ofetch for each attempt, and the
 * attempts, timeouts and waits kept here, so that none outlives its bound.
 * Each attempt has its own timer (a plain setTimeout, cleared when the
 * attempt ends); network errors, timeouts, 408/425/429 and 5xx are retried
 * with exponential backoff and full jitter, honouring `Retry-After`; a wait
 * that would end after the pass deadline fails the call at once as
 * `deadline`. An answer, 2xx or not, comes back as status and text for the
 * source to classify and validate; no answer at all (network, timeout,
 * deadline) throws an UpstreamError.
 *
 * Why not ofetch's own retry and `AbortSignal.any([deadline,
 * AbortSignal.timeout(ms)])`: Node holds an `AbortSignal.timeout` only weakly,
 * and inside `AbortSignal.any` it can be garbage-collected before it fires
 * (nodejs/node#57736), so an attempt to a hung upstream never timed out and
 * the pass waited for its deadline; and ofetch's retry delay is a bare
 * setTimeout that no deadline can cut short.
 */
import { ofetch } from 'ofetch';
import { UpstreamError } from '../../core/errors';
import { redact } from '../../core/log';
import { jitteredBackoff, MAX_BACKOFF_MS, sleep } from '../../core/backoff';

/** The deadline of a pass's upstream phase: a signal that aborts at `at` (epoch ms). */
export interface Deadline {
  signal: AbortSignal;
  at: number;
}

/**
 * A deadline held by a strong timer; `clear()` once the phase is over. An
 * outer `signal` (the invocation nearing its timeout) ends it early, as a
 * deadline too.
 */
export function createDeadline(ms: number, outer?: AbortSignal, now = Date.now()): Deadline & { clear(): void } {
  const controller = new AbortController();
  const expire = () => controller.abort(new DOMException('the pass deadline passed', 'TimeoutError'));
  const timer = setTimeout(expire, ms);
  if (outer?.aborted) expire();
  outer?.addEventListener('abort', expire, { once: true });
  return {
    signal: controller.signal,
    at: now + ms,
    clear: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', expire);
    },
  };
}

export interface UpstreamHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  retries: number;
  deadline: Deadline;
  headers?: Record<string, string>;
  /** Backoff base; tests shorten it. */
  backoffMs?: number;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** A request as it goes on the wire, for a signer. */
export interface OutgoingRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body: string;
}

export interface UpstreamRequestInit {
  method?: 'GET' | 'POST';
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Headers computed per attempt from the exact request (AK/SK signing). */
  sign?: (request: OutgoingRequest) => Record<string, string>;
  /** Statuses that must not be retried even though they usually are. */
  noRetry?: (response: UpstreamResponse) => boolean;
}

export type UpstreamRequest = (scope: string, path: string, init?: UpstreamRequestInit) => Promise<UpstreamResponse>;

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

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
  return jitteredBackoff(attempt, { baseMs, random });
}

/** A query string in the RFC 3986 form the AK/SK signer canonicalises (no `+` for spaces). */
function withQuery(url: URL, query: Record<string, string> | undefined): URL {
  if (!query || Object.keys(query).length === 0) return url;
  const encode = (v: string) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const out = new URL(url);
  out.search = Object.entries(query)
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .join('&');
  return out;
}

type Attempt = { response: UpstreamResponse } | { error: unknown; timedOut: boolean };

export function createUpstreamHttp(options: UpstreamHttpOptions): UpstreamRequest {
  const { baseUrl, timeoutMs, retries, deadline, backoffMs = 200 } = options;
  const base = { accept: 'application/json', ...options.headers };

  async function attempt(scope: string, request: OutgoingRequest, init: UpstreamRequestInit): Promise<Attempt> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException('no answer in time', 'TimeoutError'));
    }, timeoutMs);
    const onDeadline = () => controller.abort(deadline.signal.reason);
    deadline.signal.addEventListener('abort', onDeadline, { once: true });
    try {
      const headers = { ...request.headers, ...init.sign?.(request) };
      const response = await ofetch.raw<string>(request.url.toString(), {
        method: request.method,
        headers,
        ...(request.method === 'POST' ? { body: request.body } : {}),
        signal: controller.signal,
        retry: false,
        ignoreResponseError: true,
        parseResponse: (text: string) => text,
      });
      return { response: { status: response.status, headers: response.headers, body: response._data ?? '' } };
    } catch (error: unknown) {
      return { error, timedOut };
    } finally {
      clearTimeout(timer);
      deadline.signal.removeEventListener('abort', onDeadline);
    }
  }

  return async (scope, path, init = {}) => {
    const method = init.method ?? 'GET';
    const body = init.body === undefined ? '' : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    const headers: Record<string, string> = { ...base, ...init.headers };
    if (method === 'POST' && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const request: OutgoingRequest = { method, url: withQuery(new URL(baseUrl + path), init.query), headers, body };
    for (let n = 0; ; n++) {
      if (deadline.signal.aborted) throw deadlineError(scope, path);
      const outcome = await attempt(scope, request, init);
      if (deadline.signal.aborted) throw deadlineError(scope, path, 'error' in outcome ? outcome.error : undefined);
      let retryAfter: number | undefined;
      if ('response' in outcome) {
        const { response } = outcome;
        // Every call here is a read, safe to repeat, POST included.
        if (!RETRY_STATUS.has(response.status) || init.noRetry?.(response) || n >= retries) return response;
        retryAfter = retryAfterMs(response.headers.get('retry-after'));
      } else if (n >= retries) {
        throw toUpstreamError(outcome, scope, path);
      }
      const wait = backoffDelay(n, backoffMs, retryAfter);
      if (Date.now() + wait >= deadline.at) {
        const why = retryAfter === undefined ? `a ${wait} ms backoff` : `Retry-After ${Math.round(retryAfter / 1000)} s`;
        throw new UpstreamError('deadline', scope, `${path}: ${why} would end after the pass deadline`, { path });
      }
      if (wait > 0) await sleep(wait, deadline.signal);
    }
  };
}

function deadlineError(scope: string, path: string, cause?: unknown): UpstreamError {
  return new UpstreamError('deadline', scope, `${path}: the pass deadline passed`, { path }, { cause });
}

function toUpstreamError(outcome: { error: unknown; timedOut: boolean }, scope: string, path: string): UpstreamError {
  const { error, timedOut } = outcome;
  if (timedOut) return new UpstreamError('timeout', scope, `${path}: no answer in time`, { path }, { cause: error });
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  const message = cause instanceof Error ? cause.message : 'network error';
  return new UpstreamError('network', scope, redact(`${path}: ${message}`), { path }, { cause: error });
}
