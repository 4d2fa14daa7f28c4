/**
 * `GET /`, `GET /changes.atom` and the page's assets through the real catalog
 * handler, on a table filled by real passes against the simulators: what the
 * page and the feed show is checked against the simulators' own data, and the
 * same ETag / 304 discipline as the JSON routes.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../../lib/catalog/handler';
import { PAGE_CSS, PAGE_JS } from '../../../lib/catalog/page/assets';
import { call, type TestHandler } from '../../support/catalog-event';
import { createHarness, SAMPLE_REGIONS, type Harness } from '../../support/harness';

let h: Harness;
let handler: TestHandler;

beforeAll(async () => {
  h = await createHarness();
  await h.pass();
  // One real change of each kind after the first pass.
  h.zilliz.addRegion('aws', { regionId: 'aws-sa-east-1', apiBaseUrl: 'https://api.aws-sa-east-1.zillizcloud.com' } as never);
  expect(h.zilliz.updateRegion('gcp', 'gcp-us-west1', { apiBaseUrl: 'https://new.example.com' })).toBe(true);
  expect(h.zilliz.removeRegion('az', 'az-eastus2') || h.zilliz.removeRegion('azure', 'az-eastus2')).toBe(true);
  h.modelarts.faults.push({ kind: 'status', status: 503 }, { times: Infinity, match: { path: /custom-endpoint/ } });
  await h.pass();
  handler = createCatalogHandler({ doc: h.table.doc, tableName: h.table.tableName, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
});
afterAll(async () => {
  await h?.close();
});

describe('GET /', () => {
  it('serves the whole catalog, the health and the latest changes as HTML with a strict CSP', async () => {
    const res = await call(handler, 'GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = res.headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    const regions = (await call(handler, 'GET', '/regions')).json as { regions: { id: string }[] };
    expect(regions.regions.length).toBe(SAMPLE_REGIONS + 1 - 1);
    for (const r of regions.regions) expect(res.text).toContain(`>${r.id}</a></th>`);
    expect(res.text).toContain(`${regions.regions.length} of ${regions.regions.length} regions`);
    // Health: the failing ModelArts scope stands out, with its error code.
    expect(res.text).toMatch(/<tr class="alert degraded"><th scope="row">modelarts\/[0-9a-z]{32}<\/th><td><span class="badge s-degraded">degraded/);
    expect(res.text).toMatch(/<code title="[^"]*">[A-Za-z_.0-9-]+<\/code>/);
    // Changes, newest first: the second pass's three before the first pass's additions.
    const kinds = [...res.text.matchAll(/<span class="kind">([^<]+)<\/span> <a href="([^"]+)">/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(kinds.slice(0, 3).sort()).toEqual(
      ['Region Added /regions/zilliz/aws-sa-east-1', 'Region Changed /regions/zilliz/gcp-us-west1', 'Region Removed /regions/zilliz/az-eastus2'].sort(),
    );
    expect(kinds.length).toBe(20);
    expect(res.text).toContain('<code>apiBaseUrl</code>: <del>');
    expect(res.text).toContain('<ins>https://new.example.com</ins>');
    expect(res.text).toContain('href="/changes.atom"');
    // Only its own assets, by path, nothing inline.
    expect(res.text).toContain(`<link rel="stylesheet" href="${PAGE_CSS.href}">`);
    expect(res.text).toContain(`<script src="${PAGE_JS.href}" defer></script>`);
    expect(res.text).not.toMatch(/<script>|<style|style="|\son[a-z]+="/);
  });

  it('filters on the server: search text, source and cloud from the GET form', async () => {
    const byCloud = await call(handler, 'GET', '/?cloud=gcp');
    const ids = [...byCloud.text.matchAll(/<th scope="row"><a href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
    const truth = h.zilliz.data.regions.gcp?.map((r) => `zilliz:${r.regionId}`).sort();
    expect(ids).toEqual(truth);
    expect(byCloud.text).toContain('<option value="gcp" selected>gcp</option>');
    const search = await call(handler, 'GET', '/?q=SA-EAST');
    expect([...search.text.matchAll(/<th scope="row"><a [^>]+>([^<]+)</g)].map((m) => m[1])).toEqual(['zilliz:aws-sa-east-1']);
    const none = await call(handler, 'GET', '/?source=modelarts&cloud=aws');
    expect(none.text).toContain('No region matches.');
  });

  it('paginates with links that keep the query', async () => {
    const first = await call(handler, 'GET', '/?limit=10');
    expect([...first.text.matchAll(/<th scope="row"><a /g)].length).toBe(10);
    expect(first.text).toContain('href="/?page=2&amp;limit=10" rel="next"');
    const last = await call(handler, 'GET', '/?limit=10&page=3');
    expect([...last.text.matchAll(/<th scope="row"><a /g)].length).toBe(SAMPLE_REGIONS - 20);
    expect(last.text).toContain('rel="prev"');
  });

  it('answers 304 to its own tag and compresses with br', async () => {
    const first = await call(handler, 'GET', '/', { 'accept-encoding': 'br' });
    expect(first.headers['content-encoding']).toBe('br');
    const tag = first.headers.etag ?? '';
    expect(tag).toMatch(/^"v\d+-[0-9a-f]{12}-br"$/);
    const again = await call(handler, 'GET', '/', { 'if-none-match': tag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers['content-security-policy']).toContain("default-src 'none'");
    // Another query, another tag.
    expect((await call(handler, 'GET', '/?cloud=aws', { 'if-none-match': tag })).status).toBe(200);
  });

  it('answers a bad parameter with a 400 problem naming it', async () => {
    for (const [url, name] of [['/?source=aws', 'source'], ['/?page=0', 'page'], ['/?limit=9999', 'limit'], [`/?q=${'x'.repeat(101)}`, 'q']] as const) {
      const res = await call(handler, 'GET', url);
      expect(res.status, url).toBe(400);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect((res.json as { detail: string }).detail).toMatch(new RegExp(`^${name}:`));
    }
  });

  it('serves its style sheet and script with their types, tags and a year of caching at the linked URL', async () => {
    for (const a of [PAGE_CSS, PAGE_JS]) {
      const res = await call(handler, 'GET', a.href);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(a.contentType);
      expect(res.headers['cache-control']).toContain('immutable');
      expect(res.text).toBe(a.body);
      expect((await call(handler, 'GET', a.path, { 'if-none-match': res.headers.etag ?? '' })).status).toBe(304);
    }
    expect((await call(handler, 'POST', '/')).status).toBe(405);
  });
});

describe('GET /changes.atom', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['entry', 'link'].includes(name) });
  type Link = { '@rel': string; '@href': string; '@type'?: string };
  type Entry = { id: string; title: string; updated: string; summary: string; link: Link[]; author?: unknown };
  type Feed = { feed: { '@xmlns': string; id: string; title: string; updated: string; author?: { name: string }; link: Link[]; entry?: Entry[] } };

  const feedOf = async (url: string, headers: Record<string, string> = {}) => {
    const res = await call(handler, 'GET', url, headers);
    expect(res.status).toBe(200);
    expect(XMLValidator.validate(res.text)).toBe(true);
    return { res, feed: (parser.parse(res.text) as Feed).feed };
  };

  it('is a well-formed Atom 1.0 feed with every element RFC 4287 requires', async () => {
    const { res, feed } = await feedOf('/changes.atom', { host: 'api.example.com', 'x-forwarded-proto': 'https' });
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toMatch(/^urn:region-sync:/);
    expect(feed.title).toBeTruthy();
    expect(Number.isNaN(Date.parse(feed.updated))).toBe(false);
    // atom:author is required on the feed unless every entry has one.
    const entries = feed.entry ?? [];
    expect(feed.author?.name || entries.every((e) => e.author)).toBeTruthy();
    expect(feed.link.find((l) => l['@rel'] === 'self')).toMatchObject({ '@href': 'https://api.example.com/changes.atom', '@type': 'application/atom+xml' });
    expect(feed.link.find((l) => l['@rel'] === 'alternate')).toMatchObject({ '@href': 'https://api.example.com/', '@type': 'text/html' });
    for (const e of entries) {
      expect(e.id).toMatch(/^urn:region-sync:change:[0-9A-Z]{26}$/);
      expect(e.title).toMatch(/^Region (Added|Removed|Changed): (zilliz|modelarts):\S+$/);
      expect(Number.isNaN(Date.parse(e.updated))).toBe(false);
      // An entry without atom:content must link rel="alternate" (RFC 4287, 4.1.2).
      expect(e.link.filter((l) => l['@rel'] === 'alternate')).toHaveLength(1);
    }
    // Exactly one id, title and updated on the feed; one alternate link of each type.
    expect(feed.link.filter((l) => l['@rel'] === 'alternate' && l['@type'] === 'text/html')).toHaveLength(1);
  });

  it('lists the latest changes newest first, up to limit (default 50), with the truth of the change records', async () => {
    const committed = await h.committedChanges();
    const { feed } = await feedOf('/changes.atom');
    const entries = feed.entry ?? [];
    expect(entries.length).toBe(Math.min(50, committed.length));
    const newestFirst = committed.slice().reverse();
    expect(entries.map((e) => e.id)).toEqual(newestFirst.slice(0, entries.length).map((c) => `urn:region-sync:change:${c.id}`));
    expect(entries.map((e) => e.updated)).toEqual(newestFirst.slice(0, entries.length).map((c) => c.detectedAt));
    const changed = entries.find((e) => e.title === 'Region Changed: zilliz:gcp-us-west1');
    expect(changed?.summary).toMatch(/^apiBaseUrl: \S+ → https:\/\/new\.example\.com$/);
    expect(entries.find((e) => e.title === 'Region Added: zilliz:aws-sa-east-1')?.link[0]?.['@href']).toMatch(/\/regions\/zilliz\/aws-sa-east-1$/);
    expect((await feedOf('/changes.atom?limit=2')).feed.entry?.length).toBe(2);
  });

  it('filters by source and answers 304 to its tag', async () => {
    const { res, feed } = await feedOf('/changes.atom?source=modelarts');
    const committed = (await h.committedChanges()).filter((c) => c.source === 'modelarts');
    expect((feed.entry ?? []).map((e) => e.title).sort()).toEqual(committed.map((c) => `Region Added: ${c.regionKey}`).sort());
    expect(feed.link.find((l) => l['@rel'] === 'self')?.['@href']).toMatch(/\/changes\.atom\?source=modelarts$/);
    expect((await call(handler, 'GET', '/changes.atom?source=modelarts', { 'if-none-match': res.headers.etag ?? '' })).status).toBe(304);
    expect((await call(handler, 'GET', '/changes.atom?source=nope')).status).toBe(400);
    expect((await call(handler, 'GET', '/changes.atom?limit=0')).status).toBe(400);
  });
});
