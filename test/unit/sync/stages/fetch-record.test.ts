/**
 * The fetch and record stages' pure parts, alone (no table, no upstream):
 * the fetch stage runs every source it is given, fails an oversized region's
 * scope, and asks each source which of its placeholder scopes the answers
 * settle; Zilliz settles `zilliz/*` only once its discovery worked before any
 * Zilliz scope has a head; the record stage's summary counts what the
 * committed plan changed.
 */
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../../lib/core/errors';
import { createLogger } from '../../../../lib/core/log';
import type { RegionContent } from '../../../../lib/core/region';
import type { ScopeItem } from '../../../../lib/store/items';
import type { ScopePlan } from '../../../../lib/store/plans';
import type { ZillizConfig } from '../../../../lib/sync/config';
import { createDeadline } from '../../../../lib/sync/sources/http';
import type { ScopeResult, Source } from '../../../../lib/sync/sources/types';
import { DISCOVERY_SCOPE, settledPlaceholders } from '../../../../lib/sync/sources/zilliz';
import { fetchStage, MAX_REGION_BYTES } from '../../../../lib/sync/stages/fetch';
import { summarise } from '../../../../lib/sync/stages/record';

const region = (scope: string, regionId: string, extra = ''): RegionContent => ({
  id: `zilliz:${regionId}`,
  source: 'zilliz',
  cloudId: scope.split('/')[1] ?? 'aws',
  regionId,
  name: regionId + extra,
  localizedNames: {},
  apiBaseUrl: null,
  attributes: {},
});
const ok = (scope: string, regions: RegionContent[]): ScopeResult => ({ scope, source: 'zilliz', ok: true, regions });
const failed = (scope: string, path: string): ScopeResult => ({ scope, source: 'zilliz', ok: false, error: new UpstreamError('http', scope, `${path}: HTTP 503`, { path, status: 503 }) });
const head = (scope: string): ScopeItem => ({ pk: 'SCOPE', sk: scope, source: 'zilliz', version: 1, hash: 'h', regionCount: 1 });

const zilliz: ZillizConfig = { apiVersion: 'v1', baseUrl: 'http://z', apiKey: 'k', cloudIds: [], regionsMethod: 'GET', concurrency: 2, ratePerSecond: 5 };

describe('fetchStage', () => {
  it("runs every source, fails only an oversized region's scope, and collects the placeholders each source settles", async () => {
    const heads = new Map<string, ScopeItem>([['other/x', head('other/x')]]);
    const asked: string[][] = [];
    const a: Source = {
      name: 'zilliz',
      fetch: async (ctx) => {
        asked.push(await ctx.knownScopes());
        return [ok('zilliz/aws', [region('zilliz/aws', 'r1')]), ok('zilliz/gcp', [region('zilliz/gcp', 'big', 'x'.repeat(MAX_REGION_BYTES))])];
      },
      settledPlaceholders: (stored, results) => (stored.includes('other/x') && results.length === 2 ? ['zilliz/*'] : []),
    };
    const b: Source = { name: 'modelarts', fetch: () => Promise.resolve([]) };
    const deadline = createDeadline(60_000);
    try {
      const out = await fetchStage({ config: { zilliz: undefined, modelarts: undefined, http: { timeoutMs: 1000, retries: 0 } }, heads: Promise.resolve(heads), deadline, log: createLogger({}, () => undefined) }, [a, b]);
      expect(out.results.map((r) => [r.scope, r.ok])).toEqual([
        ['zilliz/aws', true],
        ['zilliz/gcp', false],
      ]);
      const big = out.results[1];
      expect(big && !big.ok && big.error.code).toBe('invalid-body');
      expect(out.settled).toEqual([{ scope: 'zilliz/*', source: 'zilliz' }]);
      // A source sees only its own stored scopes.
      expect(asked).toEqual([[]]);
    } finally {
      deadline.clear();
    }
  });
});

describe('Zilliz settledPlaceholders', () => {
  const answers = [ok('zilliz/aws', [])];
  it('settles the discovery placeholder once discovery worked, whether or not a Zilliz scope has a head', () => {
    expect(settledPlaceholders(zilliz, [], answers)).toEqual([DISCOVERY_SCOPE]);
    // A failing first pass may record the placeholder after a concurrent pass created the first heads (chaos seed 378).
    expect(settledPlaceholders(zilliz, ['zilliz/aws'], answers)).toEqual([DISCOVERY_SCOPE]);
  });
  it('settles nothing when discovery failed, clouds are configured or nothing answered', () => {
    expect(settledPlaceholders(zilliz, [], [failed(DISCOVERY_SCOPE, '/v1/clouds')])).toEqual([]);
    expect(settledPlaceholders(zilliz, [], [failed('zilliz/aws', '/v1/clouds')])).toEqual([]);
    expect(settledPlaceholders({ ...zilliz, cloudIds: ['aws'] }, [], answers)).toEqual([]);
    expect(settledPlaceholders(zilliz, [], [])).toEqual([]);
  });
  it('still settles it when a cloud listing (not the discovery) failed', () => {
    expect(settledPlaceholders(zilliz, [], [failed('zilliz/aws', '/v1/regions')])).toEqual([DISCOVERY_SCOPE]);
  });
});

describe('summarise', () => {
  const plan = (changes: ScopePlan['changes'], hold?: string[]): ScopePlan => ({
    scope: 'zilliz/aws',
    source: 'zilliz',
    expected: { exists: true, version: 1 },
    changes,
    priorSeq: {},
    previousCount: 3,
    head: { hash: 'h', regionCount: 3, ...(hold ? { hold: { regionIds: hold, firstSeenAt: 't', passes: 1 } } : {}) },
    holdStarted: Boolean(hold),
  } as ScopePlan);
  const change = (type: string) => ({ type }) as ScopePlan['changes'][number];
  const result = ok('zilliz/aws', [region('zilliz/aws', 'a'), region('zilliz/aws', 'b')]);

  it('counts the committed changes by type and reads the outcome from the plan', () => {
    expect(summarise(result, plan([change('region.added'), change('region.added'), change('region.removed')]), undefined)).toMatchObject({ outcome: 'ok', regions: 2, added: 2, removed: 1, changed: 0 });
    expect(summarise(result, undefined, undefined)).toMatchObject({ outcome: 'unchanged', regions: 2, added: 0 });
    expect(summarise(result, plan([], ['x', 'y']), undefined)).toMatchObject({ outcome: 'held', heldRemovals: 2 });
  });

  it('reports an error as a failed scope with no regions', () => {
    const error = { code: 'store.throttled', message: 'm', at: 't' };
    expect(summarise(result, undefined, error)).toMatchObject({ outcome: 'failed', regions: 0, heldRemovals: 0, error });
  });
});
