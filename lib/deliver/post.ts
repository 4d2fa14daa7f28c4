/**
 * One try of one delivery: a POST with a deadline (10 s by default). A 2xx is
 * delivered; anything else, a network error or no answer in time is a failure
 * described without the URL (it is a secret), by status or error code.
 */
import type { SignedRequest } from './sign';

export type PostResult = { ok: true; status: number } | { ok: false; status?: number; error: string };

export type Post = (url: string, request: SignedRequest, timeoutMs: number) => Promise<PostResult>;

export const post: Post = async (url, request, timeoutMs) => {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      // A redirect could carry the signed body elsewhere: it counts as a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is of no use; reading it would let a slow receiver hold the try.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: `HTTP ${response.status}` };
  } catch (error: unknown) {
    return { ok: false, error: errorCode(error) };
  }
};

/** `timeout`, or the network error's code (`ECONNREFUSED`, …): never a message, which may hold the URL. */
function errorCode(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : 'network-error';
}
