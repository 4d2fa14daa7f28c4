/**
 * The Atom feed as a feed reader sees it (issue 22), read by an independent
 * parser, @rowanmanning/feed-parser (what Python's feedparser would have been,
 * which cannot be installed here): every entry's link, the one a reader opens,
 * is the region's story on the page, HTML that answers even for a removed
 * region, with the JSON beside it; a filtered feed is a feed of its own, with
 * its own id and title, so a reader subscribed to two never merges them. The
 * truth is the change records the harness committed.
 */
import { parseFeed } from '@rowanmanning/feed-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { call, type TestHandler } from '../support/catalog-event';
import { createHarness, type Harness } from '../support/harness';

const HOST = { host: 'api.example.com', 'x-forwarded-proto': 'https' };
let h: Harness;
let handler: TestHandler;

beforeAll(async () => {
  h = await createHarness();
  await h.pass();
  handler = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
  // One change of each kind after the first pass, a removal among them.
  h.zilliz.addRegion('aws', { regionId: 'aws-sa-east-1', apiBaseUrl: 'https://api.aws-sa-east-1.zillizcloud.com' } as never);
  expect(h.zilliz.updateRegion('gcp', 'gcp-us-west1', { apiBaseUrl: 'https://new.example.com' })).toBe(true);
  expect(h.zilliz.removeRegion('az', 'az-eastus2') || h.zilliz.removeRegion('azure', 'az-eastus2')).toBe(true);
  await h.pass();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

async function read(path: string) {
  const res = await call(handler, 'GET', path, HOST);
  expect(res.status, path).toBe(200);
  return parseFeed(res.text);
}

/** The feed's own atom:id, as the parser's document holds it. */
const feedId = (feed: ReturnType<typeof parseFeed>) => feed.element?.findElementWithName('id')?.textContentNormalized ?? null;

describe('the Atom feed, as a feed reader reads it', () => {
  it("opens each entry at the region's story (HTML), with the JSON beside it, both answering", async () => {
    const feed = await read('/changes.atom?limit=100');
    const committed = new Map((await h.committedChanges()).map((c) => [`urn:region-sync:change:${c.id}`, c]));
    expect(feed.items.length).toBe(Math.min(100, committed.size));
    const current = new Set(((await call(handler, 'GET', '/regions')).json as { regions: { id: string }[] }).regions.map((r) => r.id));
    for (const item of feed.items) {
      const change = committed.get(item.id ?? '');
      expect(change, item.id ?? 'no id').toBeDefined();
      const [source, regionId] = change!.regionKey.split(':') as [string, string];
      expect(item.url).toBe(`https://api.example.com/?region=${encodeURIComponent(change!.regionKey)}`);
      const links = item.element.findElementsWithName('link').map((l) => [l.getAttribute('rel'), l.getAttribute('type'), l.getAttribute('href')]);
      // The JSON is the same story (the region's history), which answers whether or not the region is still in the catalog.
      const json = `https://api.example.com/regions/${source}/${regionId}/history`;
      expect(links).toEqual([
        ['alternate', 'text/html', item.url],
        ['alternate', 'application/json', json],
      ]);
      const answer = await call(handler, 'GET', new URL(json).pathname, HOST);
      expect(answer.status, json).toBe(200);
      expect(JSON.stringify(answer.json), json).toContain(change!.id);
    }
    expect(feed.items.some((i) => committed.get(i.id ?? '')?.type === 'region.removed')).toBe(true);
    // Among them, an older entry of a region removed since: its JSON link answers too (it was a 404).
    const removed = new Set([...committed.values()].filter((c) => c.type === 'region.removed').map((c) => c.regionKey));
    expect(feed.items.some((i) => { const c = committed.get(i.id ?? ''); return c !== undefined && c.type !== 'region.removed' && removed.has(c.regionKey) && !current.has(c.regionKey); })).toBe(true);
  });

  it('opens a removed region at a story that answers, not at a 404', async () => {
    const feed = await read('/changes.atom?type=region.removed');
    expect(feed.items.length).toBeGreaterThanOrEqual(1);
    for (const item of feed.items) {
      const url = new URL(item.url ?? '');
      const page = await call(handler, 'GET', `${url.pathname}${url.search}`, { ...HOST, accept: 'text/html' });
      expect(page.status, item.url ?? '').toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.text).toContain(decodeURIComponent(url.searchParams.get('region') ?? '-'));
    }
  });

  it('gives each filter its own feed id and title, the same whatever the order of the filters', async () => {
    const all = await read('/changes.atom');
    const removed = await read('/changes.atom?type=region.removed');
    const zilliz = await read('/changes.atom?source=zilliz');
    const both = await read('/changes.atom?type=region.removed&source=zilliz');
    const bothReordered = await read('/changes.atom?source=zilliz&type=region.removed');
    const feeds = [all, removed, zilliz, both];
    expect(new Set(feeds.map(feedId)).size).toBe(4);
    expect(new Set(feeds.map((f) => f.title)).size).toBe(4);
    expect(feeds.every((f) => feedId(f)?.startsWith('urn:region-sync:changes'))).toBe(true);
    expect(feedId(bothReordered)).toBe(feedId(both));
    expect(bothReordered.title).toBe(both.title);
    // Each says what it holds, and links back to itself and to the page.
    expect(removed.self).toBe('https://api.example.com/changes.atom?type=region.removed');
    expect(all.url).toBe('https://api.example.com/');
    expect(removed.items.every((i) => i.title?.startsWith('Region Removed: '))).toBe(true);
  });
});
