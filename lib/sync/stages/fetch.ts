/**
 * Stage 1, fetch: every configured source's calls at once, each scope's
 * answer or typed failure, and the placeholder scopes the answers settle.
 * Each source owns its lifecycle (discovery, placeholders, routes): this stage
 * knows none of them.
 *
 * The scope heads are still being read: a source waits for them only once its
 * own answer is in (a failure to spread over the known scopes, a cloud gone
 * from the list), so no table read stands in front of an upstream call.
 */
import type { SyncConfig } from '../config';
import { UpstreamError } from '../../core/errors';
import type { Logger } from '../../core/log';
import type { RegionContent } from '../../core/region';
import type { ScopeItem } from '../../store/items';
import { createUpstreamHttp, type Deadline } from '../sources/http';
import { modelartsSource } from '../sources/modelarts';
import type { ScopeResult, Source, SourceContext } from '../sources/types';
import { zillizSource } from '../sources/zilliz';

/** Keeps a change record and its event well inside DynamoDB's and EventBridge's item limits. */
export const MAX_REGION_BYTES = 60_000;

export interface FetchInput {
  config: Pick<SyncConfig, 'zilliz' | 'modelarts' | 'http'>;
  /** The scope heads, still being read. */
  heads: Promise<Map<string, ScopeItem>>;
  deadline: Deadline;
  log: Logger;
  /** Upstream retry backoff base; tests shorten it. */
  backoffMs?: number | undefined;
}

export interface FetchOutput {
  results: ScopeResult[];
  /** Placeholder scopes whose status this pass's answers settle (recorded as a success when it exists). */
  settled: { scope: string; source: string }[];
}

export function configuredSources(config: FetchInput['config']): Source[] {
  const sources: Source[] = [];
  if (config.zilliz) sources.push(zillizSource(config.zilliz));
  if (config.modelarts) sources.push(modelartsSource(config.modelarts));
  return sources;
}

/** A region too large to store or publish fails its scope, never the pass. */
export function guardSizes(result: ScopeResult): ScopeResult {
  if (!result.ok) return result;
  const big = result.regions.find((r: RegionContent) => Buffer.byteLength(JSON.stringify(r)) > MAX_REGION_BYTES);
  if (!big) return result;
  const error = new UpstreamError('invalid-body', result.scope, `region ${big.regionId} is larger than ${MAX_REGION_BYTES} bytes`);
  return { scope: result.scope, source: result.source, ok: false, error };
}

export async function fetchStage(input: FetchInput, sources: readonly Source[] = configuredSources(input.config)): Promise<FetchOutput> {
  const { config, heads, deadline, log } = input;
  const http = (baseUrl: string, headers?: Record<string, string>) =>
    createUpstreamHttp({ baseUrl, headers, deadline, timeoutMs: config.http.timeoutMs, retries: config.http.retries, backoffMs: input.backoffMs });
  const ctx = (source: string): SourceContext => ({
    http,
    knownScopes: async () => [...(await heads).keys()].filter((scope) => scope.startsWith(`${source}/`)),
    log: log.child({ source }),
  });
  const perSource = await Promise.all(sources.map((source) => source.fetch(ctx(source.name))));
  const results = perSource.flat().map(guardSizes);
  const stored = [...(await heads).keys()];
  const settled = sources.flatMap((source, i) =>
    (source.settledPlaceholders?.(stored, perSource[i] ?? []) ?? []).map((scope) => ({ scope, source: source.name })),
  );
  return { results, settled };
}
