/**
 * What the runner hands every section: the run's DynamoDB Local, the upstream
 * mode the sync passes use, a memo for work two sections share (the packaged
 * functions, the 10,000-region table) and a place to register cleanup.
 */

/**
 * `BENCH_UPSTREAM`: the Zilliz API the sync passes are configured for, passed
 * to the function as `ZILLIZ_API_VERSION`. v2 (the default) answers every
 * cloud in one call; code that does not know the setting ignores it and runs
 * v1, one call per cloud, which the figures then show (upstream calls).
 */
export type UpstreamMode = 'v1' | 'v2';

export function upstreamSetting(env: Record<string, string | undefined>): UpstreamMode {
  const value = env.BENCH_UPSTREAM ?? 'v2';
  if (value !== 'v1' && value !== 'v2') throw new Error(`BENCH_UPSTREAM: expected v1 or v2, got ${JSON.stringify(value)}`);
  return value;
}

/** The function settings for a mode (merged over the simulator settings). */
export function upstreamEnv(mode: UpstreamMode): Record<string, string> {
  return { ZILLIZ_API_VERSION: mode };
}

export interface BenchContext {
  endpoint: string;
  upstream: UpstreamMode;
  /** The value for `key`, made once per run. */
  memo<T>(key: string, make: () => Promise<T>): Promise<T>;
  /** Runs after the last section, before DynamoDB Local stops. */
  onCleanup(fn: () => Promise<void>): void;
}
