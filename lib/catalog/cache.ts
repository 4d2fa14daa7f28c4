/**
 * The warm catalog of one function instance. Within `revalidateMs` of the last
 * check it answers from memory with no read at all; after that one small read
 * of the commit sequence tells whether the catalog changed, and only a changed
 * version reloads the regions. Rendered bodies are memoised per catalog version
 * (bounded, least recently used first out), so a warm hit does no work.
 * Pure apart from the injected loader and clock.
 */
import type { Region } from '../core/region';
import type { CatalogSnapshot, SeqHead } from '../store/read';

export interface CatalogLoader {
  readHead(): Promise<SeqHead>;
  load(): Promise<CatalogSnapshot>;
}

export interface CachedCatalog {
  readonly version: number;
  readonly syncedAt: string | null;
  /** Sorted by id. */
  readonly regions: readonly Region[];
  /** A region by its id (`<source>:<regionId>`). */
  region(id: string): Region | undefined;
  /** The value memoised under `key` for this version, built once. */
  memo<T>(key: string, build: () => T): T;
}

export interface CatalogCacheOptions {
  loader: CatalogLoader;
  revalidateMs: number;
  now?: () => number;
  /** Distinct memoised bodies kept per version (filters are client-chosen, so bounded). */
  memoLimit?: number;
  /**
   * Called when a revalidation fails while a catalog is held: that catalog is
   * then served until the next window rather than failing the request (a read
   * racing a long commit, a DynamoDB blip). Without a held catalog the error
   * reaches the caller.
   */
  onStale?: (error: unknown) => void;
}

export interface CatalogCache {
  get(): Promise<CachedCatalog>;
}

function build(snapshot: CatalogSnapshot, memoLimit: number): CachedCatalog {
  const byKey = new Map(snapshot.regions.map((r) => [r.id, r] as const));
  const memos = new Map<string, unknown>();
  // The most recently used entry, answered without touching the map (a warm hit on one filter).
  let lastKey: string | undefined;
  let lastValue: unknown;
  return {
    version: snapshot.version,
    syncedAt: snapshot.syncedAt,
    regions: snapshot.regions,
    region: (id) => byKey.get(id),
    memo<T>(key: string, make: () => T): T {
      if (key === lastKey) return lastValue as T;
      let value: T;
      if (memos.has(key)) {
        value = memos.get(key) as T;
        memos.delete(key);
        memos.set(key, value); // most recently used goes last
      } else {
        value = make();
        memos.set(key, value);
        if (memos.size > memoLimit) memos.delete(memos.keys().next().value as string);
      }
      if (memos.has(key)) {
        lastKey = key;
        lastValue = value;
      }
      return value;
    },
  };
}

export function createCatalogCache({ loader, revalidateMs, now = Date.now, memoLimit = 128, onStale }: CatalogCacheOptions): CatalogCache {
  let current: CachedCatalog | undefined;
  let checkedAt = 0;
  let pending: Promise<CachedCatalog> | undefined;

  const reload = async (startedAt: number): Promise<CachedCatalog> => {
    if (current) {
      const head = await loader.readHead();
      if (head.version === current.version) {
        checkedAt = startedAt;
        return current;
      }
    }
    current = build(await loader.load(), memoLimit);
    checkedAt = startedAt;
    return current;
  };

  const refresh = async (startedAt: number): Promise<CachedCatalog> => {
    const held = current;
    try {
      return await reload(startedAt);
    } catch (error) {
      if (!held || !onStale) throw error;
      onStale(error);
      checkedAt = startedAt;
      return held;
    }
  };

  return {
    get() {
      const t = now();
      if (current && t - checkedAt < revalidateMs) return Promise.resolve(current);
      // Concurrent callers (the local server) share one revalidation.
      pending ??= refresh(t).finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
