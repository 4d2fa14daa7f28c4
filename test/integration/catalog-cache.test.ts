// Unit tests of the catalog function's pure parts: the warm cache, entity tags
// and encodings, the feed cursor, parameter validation and the status join.
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCatalogCache, type CatalogLoader } from '../../lib/catalog/cache';
import { loadCatalogConfig } from '../../lib/catalog/config';
import { decodeCursor, encodeCursor, START } from '../../lib/catalog/cursor';
import { Representation, encodedTag, entityTag, negotiateEncoding, noneMatchHits, respond } from '../../lib/catalog/etag';
import { filterKey, parseLimit, parseRegionFilter, parseRegionPath, parseSince } from '../../lib/catalog/params';
import { HttpProblem } from '../../lib/catalog/problem';
import type { Region } from '../../lib/core/region';
import { sourceStatuses, type CatalogSnapshot } from '../../lib/store/read';

const region = (id: string): Region => {
  const [source = 'zilliz', regionId = id] = id.split(':');
  return {
    id,
    source: source as Region['source'],
    cloudId: 'aws',
    regionId,
    name: regionId,
    localizedNames: {},
    apiBaseUrl: null,
    attributes: {},
    firstSeenAt: '2026-11-23T10:00:00.000Z',
    updatedAt: '2026-11-23T10:00:00.000Z',
  };
};

function fakeLoader(initial: number) {
  let version = initial;
  const calls = { head: 0, load: 0 };
  const loader: CatalogLoader = {
    readHead: async () => {
      calls.head++;
      return { version, syncedAt: `t${version}` };
    },
    load: async (): Promise<CatalogSnapshot> => {
      calls.load++;
      return { version, syncedAt: `t${version}`, regions: [region(`zilliz:r${version}`)] };
    },
  };
  return { loader, calls, commit: () => version++ };
}

describe('catalog cache', () => {
  it('serves from memory with no read inside the revalidate window', async () => {
    let now = 1_000;
    const { loader, calls } = fakeLoader(1);
    const cache = createCatalogCache({ loader, revalidateMs: 2_000, now: () => now });
    await cache.get();
    expect(calls).toEqual({ head: 0, load: 1 });
    now += 1_999;
    for (let i = 0; i < 10; i++) await cache.get();
    expect(calls).toEqual({ head: 0, load: 1 });
  });

  it('revalidates with one head read after the window and reloads only on a new version', async () => {
    let now = 0;
    const { loader, calls, commit } = fakeLoader(1);
    const cache = createCatalogCache({ loader, revalidateMs: 2_000, now: () => now });
    const first = await cache.get();
    now = 2_000;
    expect(await cache.get()).toBe(first);
    expect(calls).toEqual({ head: 1, load: 1 });
    commit();
    now = 4_000;
    const second = await cache.get();
    expect(second.version).toBe(2);
    expect(second.regions.map((r) => r.id)).toEqual(['zilliz:r2']);
    expect(calls).toEqual({ head: 2, load: 2 });
  });

  it('shares one revalidation between concurrent callers', async () => {
    let now = 0;
    const { loader, calls } = fakeLoader(1);
    const cache = createCatalogCache({ loader, revalidateMs: 10, now: () => now });
    await Promise.all([cache.get(), cache.get(), cache.get()]);
    now = 100;
    await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(calls).toEqual({ head: 1, load: 1 });
  });

  it('propagates a failed load and tries again on the next call', async () => {
    let fail = true;
    const loader: CatalogLoader = {
      readHead: async () => ({ version: 1, syncedAt: null }),
      load: async () => {
        if (fail) throw new Error('boom');
        return { version: 1, syncedAt: null, regions: [] };
      },
    };
    const cache = createCatalogCache({ loader, revalidateMs: 1_000 });
    await expect(cache.get()).rejects.toThrow('boom');
    fail = false;
    await expect(cache.get()).resolves.toMatchObject({ version: 1 });
  });

  it('keeps serving the held catalog when a revalidation fails, and retries after the next window', async () => {
    let now = 0;
    const { loader, calls, commit } = fakeLoader(1);
    let failing = true;
    const flaky: CatalogLoader = {
      readHead: loader.readHead,
      load: async () => {
        if (calls.load > 0 && failing) {
          calls.load++;
          throw new Error('commit in progress');
        }
        return loader.load();
      },
    };
    const stale: unknown[] = [];
    const cache = createCatalogCache({ loader: flaky, revalidateMs: 1_000, now: () => now, onStale: (e) => stale.push(e) });
    const first = await cache.get();
    commit();
    now = 1_000;
    expect(await cache.get()).toBe(first);
    expect(stale).toHaveLength(1);
    now = 1_500;
    expect(await cache.get()).toBe(first); // inside the window: no new attempt
    expect(calls).toEqual({ head: 1, load: 2 });
    failing = false;
    now = 2_000;
    expect((await cache.get()).version).toBe(2);
  });

  it('memoises per version, bounded, and looks regions up by id', async () => {
    const { loader } = fakeLoader(3);
    const cache = createCatalogCache({ loader, revalidateMs: 1_000, memoLimit: 2 });
    const catalog = await cache.get();
    let builds = 0;
    const make = () => ++builds;
    expect(catalog.memo('a', make)).toBe(1);
    expect(catalog.memo('a', make)).toBe(1);
    catalog.memo('b', make);
    catalog.memo('a', make); // a is now the most recent
    catalog.memo('c', make); // evicts b
    expect(catalog.memo('a', make)).toBe(1);
    expect(catalog.memo('b', make)).toBe(4);
    expect(catalog.region('zilliz:r3')?.regionId).toBe('r3');
    expect(catalog.region('zilliz:nope')).toBeUndefined();
  });
});

describe('entity tags and encodings', () => {
  const tag = entityTag(42, 'source=&cloudId=');

  it('differ by version and by filter', () => {
    expect(tag).toMatch(/^"v42-[0-9a-f]{12}"$/);
    expect(entityTag(43, 'source=&cloudId=')).not.toBe(tag);
    expect(entityTag(42, 'source=zilliz&cloudId=')).not.toBe(tag);
    expect(encodedTag(tag, 'br')).toBe(`${tag.slice(0, -1)}-br"`);
    expect(encodedTag(tag, 'identity')).toBe(tag);
  });

  it.each([
    [tag, true],
    [`W/${tag}`, true],
    [encodedTag(tag, 'gzip'), true],
    [`"nope", ${encodedTag(tag, 'br')}`, true],
    ['*', true],
    ['"v41-000000000000"', false],
    ['', false],
    ['garbage', false],
  ])('If-None-Match %s matches: %s', (header, hit) => {
    expect(noneMatchHits(header, tag)).toBe(hit);
  });

  it.each([
    [undefined, 'identity'],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['*', 'br'],
    ['*;q=0', 'identity'],
    ['identity', 'identity'],
    ['deflate', 'identity'],
  ] as const)('Accept-Encoding %s gives %s', (header, encoding) => {
    expect(negotiateEncoding(header)).toBe(encoding);
  });

  it('compresses a large body once per encoding and answers 304 to its own tag', () => {
    const body = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ i, name: `region-${i}` })) });
    const rep = new Representation(body, tag);
    const br = respond(rep, { 'accept-encoding': 'br' }, { cacheControl: 'public, max-age=30' });
    expect(br).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: { 'Content-Encoding': 'br', Vary: 'Accept-Encoding' } });
    expect(brotliDecompressSync(Buffer.from(br.body!, 'base64')).toString()).toBe(body);
    expect(rep.base64('br')).toBe(br.body); // memoised: the same string
    const gz = respond(rep, { 'accept-encoding': 'gzip' }, { cacheControl: 'x' });
    expect(gunzipSync(Buffer.from(gz.body!, 'base64')).toString()).toBe(body);
    const notModified = respond(rep, { 'accept-encoding': 'gzip', 'if-none-match': br.headers.ETag }, { cacheControl: 'x' });
    expect(notModified).toEqual({ statusCode: 304, headers: { 'Cache-Control': 'x', Vary: 'Accept-Encoding', ETag: encodedTag(tag, 'gzip') }, body: '' });
  });

  it('leaves a small body uncompressed', () => {
    const res = respond(new Representation('{"a":1}', tag), { 'accept-encoding': 'br' }, { cacheControl: 'x' });
    expect(res).toEqual({ statusCode: 200, headers: { 'Cache-Control': 'x', ETag: tag, 'Content-Type': 'application/json' }, body: '{"a":1}' });
  });
});

describe('feed cursor', () => {
  it('round-trips a position', () => {
    for (const p of [START, { seq: 1, index: 0 }, { seq: 999_999_999_999, index: 499 }]) {
      expect(decodeCursor(encodeCursor(p))).toEqual(p);
    }
  });

  it('refuses garbage, tampering and non-canonical spellings', () => {
    const good = encodeCursor({ seq: 7, index: 3 });
    const forged = Buffer.from(Buffer.from(good, 'base64url').toString().replace('1.7.3.', '1.8.3.')).toString('base64url');
    for (const bad of ['', 'abc', '!!!', 'MS43LjM', forged, `${good}A`, good.slice(0, -1), encodeCursor({ seq: 7, index: 3 }).toUpperCase()]) {
      expect(decodeCursor(bad), bad).toBeUndefined();
    }
    expect(Buffer.from(encodeCursor({ seq: 0, index: 0 }), 'base64url').toString()).toMatch(/^1\.0\.0\./);
    expect(decodeCursor(encodeCursor({ seq: 0, index: 0 }))).toBeUndefined();
  });
});

describe('parameters', () => {
  const detailOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof HttpProblem) return `${error.status} ${error.detail}`;
      throw error;
    }
    return 'no error';
  };

  it('normalises filters so equal filters give equal keys', () => {
    const a = parseRegionFilter({ source: 'zilliz,modelarts', cloudId: 'gcp, aws,aws' });
    const b = parseRegionFilter({ cloudId: 'aws,gcp', source: 'modelarts,zilliz', other: 'ignored' });
    expect(a).toEqual({ source: ['modelarts', 'zilliz'], cloudId: ['aws', 'gcp'] });
    expect(filterKey(a)).toBe(filterKey(b));
    expect(parseRegionFilter(undefined)).toEqual({ source: [], cloudId: [] });
  });

  it.each([
    [() => parseRegionFilter({ source: 'foo' }), "400 source: unknown source 'foo'; expected zilliz or modelarts"],
    [() => parseRegionFilter({ cloudId: 'AWS' }), /^400 cloudId: invalid value 'AWS'/],
    [() => parseRegionFilter({ cloudId: Array.from({ length: 21 }, (_, i) => `c${i}`).join(',') }), '400 cloudId: at most 20 values'],
    [() => parseRegionPath({ source: 'foo', regionId: 'x' }), /^400 source:/],
    [() => parseRegionPath({ source: 'zilliz', regionId: '..%2F..%2Fetc' }), /^400 regionId:/],
    [() => parseRegionPath({ source: 'zilliz', regionId: '%E0%A4%A' }), '400 regionId: malformed percent-encoding'],
    [() => parseRegionPath({ source: 'zilliz', regionId: 'x'.repeat(129) }), /^400 regionId:/],
    [() => parseLimit('0'), /^400 limit:/],
    [() => parseLimit('501'), /^400 limit:/],
    [() => parseLimit('abc'), /^400 limit:/],
    [() => parseLimit('1.5'), /^400 limit:/],
    [() => parseLimit('-1'), /^400 limit:/],
    [() => parseSince('garbage'), /^400 since:/],
  ])('%# refuses with a detail naming the parameter', (fn, expected) => {
    const detail = detailOf(fn);
    if (typeof expected === 'string') expect(detail).toBe(expected);
    else expect(detail).toMatch(expected);
  });

  it('accepts the edges', () => {
    expect(parseLimit(undefined)).toBe(100);
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('500')).toBe(500);
    expect(parseRegionPath({ source: 'modelarts', regionId: 'cn-north-4' })).toEqual({ source: 'modelarts', regionId: 'cn-north-4' });
    expect(parseSince(undefined)).toEqual(START);
  });
});

describe('source status', () => {
  const scope = (sk: string, extra: object = {}) => ({ pk: 'SCOPE' as const, sk, source: sk.split('/')[0]!, version: 1, hash: 'h', regionCount: 3, ...extra });
  const status = (sk: string, extra: object = {}) => ({ pk: 'STATUS' as const, sk, source: sk.split('/')[0]!, ...extra });

  it('joins scope and status by scope, sorted, with each state', () => {
    const at = '2026-11-23T10:00:00.000Z';
    const lastError = { code: 'http.503', message: 'upstream answered 503', at };
    const result = sourceStatuses(
      [scope('zilliz/gcp', { hold: { regionIds: ['a'], passes: 1, since: at } }), scope('zilliz/aws'), scope('modelarts/p')],
      [
        status('zilliz/aws', { lastAttemptAt: at, lastSuccessAt: at, consecutiveFailures: 0 }),
        status('modelarts/p', { lastAttemptAt: at, lastSuccessAt: at, consecutiveFailures: 2, lastError }),
        status('zilliz/azure', { lastAttemptAt: at, consecutiveFailures: 1, lastError }),
      ],
    );
    expect(result.map((s) => [s.scope, s.status, s.regionCount])).toEqual([
      ['modelarts/p', 'degraded', 3],
      ['zilliz/aws', 'ok', 3],
      ['zilliz/azure', 'degraded', 0],
      ['zilliz/gcp', 'held', 3],
    ]);
    expect(result[0]).toEqual({
      scope: 'modelarts/p',
      source: 'modelarts',
      status: 'degraded',
      lastAttemptAt: at,
      lastSuccessAt: at,
      consecutiveFailures: 2,
      lastError,
      regionCount: 3,
    });
    expect(sourceStatuses([], [status('zilliz/new')])[0]).toMatchObject({ status: 'never-synced', lastError: null, lastAttemptAt: null });
  });
});

describe('catalog configuration', () => {
  it('applies defaults', () => {
    expect(loadCatalogConfig({ TABLE_NAME: 'region-sync-dev', CORS_ORIGINS: '' })).toEqual({
      AWS_REGION: 'us-east-1',
      TABLE_NAME: 'region-sync-dev',
      CORS_ORIGINS: ['*'],
      CATALOG_REVALIDATE_MS: 2000,
      CATALOG_MAX_AGE_SECONDS: 30,
      CHANGES_RETENTION_DAYS: 30,
    });
  });

  it('reads the changes retention and names it when invalid', () => {
    expect(loadCatalogConfig({ TABLE_NAME: 'region-sync-dev', CHANGES_RETENTION_DAYS: '7' }).CHANGES_RETENTION_DAYS).toBe(7);
    expect(() => loadCatalogConfig({ TABLE_NAME: 'region-sync-dev', CHANGES_RETENTION_DAYS: '0' })).toThrow(/CHANGES_RETENTION_DAYS/);
  });

  it('reads origins and numbers', () => {
    const config = loadCatalogConfig({
      TABLE_NAME: 'region-sync-dev',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      CATALOG_REVALIDATE_MS: '0',
      CATALOG_MAX_AGE_SECONDS: '120',
    });
    expect(config).toMatchObject({ CORS_ORIGINS: ['https://app.example.com', 'http://localhost:5173'], CATALOG_REVALIDATE_MS: 0, CATALOG_MAX_AGE_SECONDS: 120 });
  });

  it.each([
    [{}, /^TABLE_NAME: /],
    [{ TABLE_NAME: 'ok-table', CATALOG_REVALIDATE_MS: '2s' }, /^CATALOG_REVALIDATE_MS: expected a whole number/],
    [{ TABLE_NAME: 'ok-table', CATALOG_MAX_AGE_SECONDS: '-1' }, /^CATALOG_MAX_AGE_SECONDS: /],
    [{ TABLE_NAME: 'ok-table', CORS_ORIGINS: 'app.example.com' }, /^CORS_ORIGINS: expected \* or a comma list of origins/],
    [{ TABLE_NAME: 'ok-table', DYNAMODB_ENDPOINT: 'localhost:8000' }, /^DYNAMODB_ENDPOINT: /],
  ])('%o fails naming the variable', (env, message) => {
    expect(() => loadCatalogConfig(env)).toThrow(message);
  });
});
