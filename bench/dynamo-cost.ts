/**
 * DynamoDB cost (issue 6's figure 2) per pass, from the store meter (capacity units as
 * `ReturnConsumedCapacity: TOTAL` reports them, items written by kind): a
 * first pass, an unchanged pass, and a pass with one changed region at two
 * catalog sizes with the same scopes (the default ~25 regions, and 2,000+),
 * so only the catalog's size differs between the two.
 */
import type { Meter, WriteKind } from './meter';
import { createSyncBench, log, modelledWcu, regionCount, round, sampleWithClouds, type Span } from './support';

export interface PassCost {
  /** Metered: what DynamoDB (Local) reported through ReturnConsumedCapacity. */
  wcu: number;
  /** What AWS would bill for the same writes, every write included (see modelledWcu). */
  modelledWcu: number;
  rcu: number;
  writes: Record<WriteKind, number>;
  wallMs: number;
  changes: number;
}

export interface CatalogSizeCost {
  regions: number;
  scopes: number;
  firstPass: PassCost;
  unchangedPass: PassCost;
  oneChangePass: PassCost;
}

export interface DynamoCostResult {
  small: CatalogSizeCost;
  large: CatalogSizeCost;
  unchangedPassSnapshotWrites: number;
  unchangedPassChangesetWrites: number;
  oneChangeWcu: { small: number; large: number; smallRegions: number; largeRegions: number };
  oneChangeWcuModelled: { small: number; large: number };
  pass: { unchangedWritesStatusOnly: boolean; oneChangeWcuEqual: boolean };
}

function cost(meter: Meter, spans: readonly Span[], wallMs: number, changes: number): PassCost {
  return { wcu: round(meter.writeUnits, 1), modelledWcu: modelledWcu(spans), rcu: round(meter.readUnits, 1), writes: { ...meter.writes }, wallMs: round(wallMs, 0), changes };
}

/** The sample's 3 clouds with 5 extra clouds of `perExtraCloud` regions: always 8 Zilliz scopes + 1 ModelArts. */
async function measure(endpoint: string, perExtraCloud: number, env: Record<string, string>): Promise<CatalogSizeCost> {
  const data = sampleWithClouds(5, perExtraCloud);
  const bench = await createSyncBench({ endpoint, zilliz: data, env });
  try {
    const first = await bench.meteredPass();
    const firstSpans = [...bench.timeline.spans];
    if (!first.summary.ok) throw new Error('dynamo-cost: the first pass failed a scope');
    const unchanged = await bench.meteredPass();
    const unchangedSpans = [...bench.timeline.spans];
    // One region of a generated cloud (3 or 400 regions) changes one field: one region.changed.
    const region = bench.zilliz.data.regions.x00?.[0];
    if (!region) throw new Error('dynamo-cost: no x00 region to change');
    region.description = 'changed by the benchmark';
    const one = await bench.meteredPass();
    if (one.summary.changes !== 1) throw new Error(`dynamo-cost: expected one change, got ${one.summary.changes}`);
    return {
      regions: regionCount(data) + bench.modelarts.data.region_items.length,
      scopes: first.summary.scopes.length,
      firstPass: cost(first.meter, firstSpans, first.wallMs, first.summary.changes),
      unchangedPass: cost(unchanged.meter, unchangedSpans, unchanged.wallMs, unchanged.summary.changes),
      oneChangePass: cost(one.meter, bench.timeline.spans, one.wallMs, one.summary.changes),
    };
  } finally {
    await bench.close();
  }
}

export async function runDynamoCost(endpoint: string, env: Record<string, string> = {}): Promise<DynamoCostResult> {
  const small = await measure(endpoint, 3, env);
  const large = await measure(endpoint, 400, env);
  const w = small.unchangedPass.writes;
  const snapshotWrites = w.scope + w.region;
  const changesetWrites = w.changeset + w.seq;
  const oneChangeWcu = {
    small: small.oneChangePass.wcu,
    large: large.oneChangePass.wcu,
    smallRegions: small.regions,
    largeRegions: large.regions,
  };
  log(`dynamo cost: unchanged pass writes ${JSON.stringify(w)}; one change ${oneChangeWcu.small} WCU @${small.regions} vs ${oneChangeWcu.large} WCU @${large.regions}`);
  return {
    small,
    large,
    unchangedPassSnapshotWrites: snapshotWrites,
    unchangedPassChangesetWrites: changesetWrites,
    oneChangeWcu,
    oneChangeWcuModelled: { small: small.oneChangePass.modelledWcu, large: large.oneChangePass.modelledWcu },
    pass: { unchangedWritesStatusOnly: snapshotWrites === 0 && changesetWrites === 0, oneChangeWcuEqual: oneChangeWcu.small === oneChangeWcu.large && small.oneChangePass.modelledWcu === large.oneChangePass.modelledWcu },
  };
}
