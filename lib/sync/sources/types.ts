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

/**
 * One upstream's whole lifecycle in a pass, as the fetch stage sees it: the
 * source owns its discovery, its placeholder scopes and its routes, and the
 * pass knows none of them.
 */
export interface Source {
  name: SourceName;
  fetch(ctx: SourceContext): Promise<ScopeResult[]>;
  /**
   * Placeholder scopes (a failure recorded before the source had any scope)
   * that this pass's results settle: their status is recorded as a success,
   * when it exists. `storedScopes` are the scopes with a head.
   */
  settledPlaceholders?(storedScopes: readonly string[], results: readonly ScopeResult[]): string[];
}
