/**
 * The few named errors of region-sync. Each sets `name` and keeps `cause`;
 * an upstream error names the source, the scope, the URL path and the status,
 * and never a secret (URLs are reduced to their path, bodies are not quoted);
 * it keeps the upstream's request id, when one came, for support.
 */
export type UpstreamErrorCode =
  | 'network'
  | 'timeout'
  | 'deadline'
  | 'http'
  | 'business'
  | 'auth'
  | 'invalid-body';

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(
    readonly code: UpstreamErrorCode,
    readonly scope: string,
    message: string,
    readonly details: { path?: string; status?: number; upstreamCode?: string; requestId?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The code published in events and shown by /sources: `http.503`, `business.80002`, `timeout`. */
  get publicCode(): string {
    if (this.details.upstreamCode) return `${this.code}.${this.details.upstreamCode}`;
    if (this.details.status) return `${this.code}.${this.details.status}`;
    return this.code;
  }
}

/** A conditional write lost to a concurrent pass: the caller re-reads and re-diffs. */
export class CommitConflictError extends Error {
  override name = 'CommitConflictError';
}

/**
 * DynamoDB kept throttling a write through every retry: no concurrent pass is
 * involved, so re-reading and re-planning would not help. The scope fails with
 * `store.throttled` (never `store.conflict`) and the next pass tries again.
 */
export class CommitThrottledError extends Error {
  override name = 'CommitThrottledError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
