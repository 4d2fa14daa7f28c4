/**
 * What every source yields: per scope, either its normalised regions or a
 * typed failure. A failure is never an empty list.
 */
import type { UpstreamError } from '../../core/errors';
import type { Logger } from '../../core/log';
import type { RegionContent, SourceName } from '../../core/region';
import type { UpstreamHttpOptions, UpstreamRequest } from './http';

export type ScopeResult =
  | { scope: string; source: SourceName; ok: true; regions: RegionContent[] }
  | { scope: string; source: SourceName; ok: false; error: UpstreamError };

export interface SourceContext {
  /** Builds the pass's HTTP client for one upstream base URL. */
  http: (baseUrl: string, headers?: UpstreamHttpOptions['headers']) => UpstreamRequest;
  /**
   * Scopes of this source already in the store (a failure of a call serving
   * several scopes fails each of them): read beside the upstream calls, so a
   * source asks only once it needs them.
   */
  knownScopes: () => Promise<string[]>;
  log: Logger;
}
