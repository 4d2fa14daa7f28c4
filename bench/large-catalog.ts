/**
 * The 10,000-region catalog the catalog sections read: the table the scale
 * section's passes filled, or (when that section did not run) a table filled
 * by one real pass over the same generated upstream here. Made once per run,
 * dropped at its end.
 */
import type { BenchContext } from './context';
import { upstreamEnv } from './context';
import { createSyncBench, generatedClouds, type BenchTable } from './support';

export const CLOUDS = 100;
export const REGIONS_PER_CLOUD = 100;

export interface LargeCatalog {
  table: BenchTable;
  regions: number;
}

export function largeCatalog(ctx: BenchContext, made?: LargeCatalog): Promise<LargeCatalog> {
  return ctx.memo('largeCatalog', async () => {
    if (made) {
      ctx.onCleanup(() => made.table.drop());
      return made;
    }
    const bench = await createSyncBench({ endpoint: ctx.endpoint, zilliz: generatedClouds(CLOUDS, REGIONS_PER_CLOUD), env: upstreamEnv(ctx.upstream) });
    const summary = await bench.pass();
    if (!summary.ok) throw new Error('large catalog: the filling pass failed a scope');
    const table = bench.table;
    // The simulators go now; the table stays for the run.
    await Promise.all([bench.zilliz.close(), bench.modelarts.close(), bench.receiver.close()]);
    ctx.onCleanup(() => table.drop());
    return { table, regions: summary.scopes.reduce((n, s) => n + s.regions, 0) };
  });
}
