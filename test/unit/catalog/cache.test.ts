// The warm catalog cache (lib/catalog/cache.ts): reads, revalidation, the held catalog on failure, memoised bodies.
import { describe, expect, it } from 'vitest';
import { createCatalogCache, type CatalogLoader } from '../../../lib/catalog/cache';
import type { Region } from '../../../lib/core/region';
import type { CatalogSnapshot } from '../../../lib/store/read';

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
